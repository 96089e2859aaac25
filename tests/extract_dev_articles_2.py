# ruff: noqa: E501, RUF001
"""The extractor's development set, part 2: fourteen more whole articles with distractors."""

from __future__ import annotations

from tests.extract_dev_articles import Article
from tests.extract_dev_sentences import Expect

ARTICLES_PART_2: list[Article] = [
    Article(
        "ECB holds rates for fourth meeting as inflation sits on target",
        "2026-07-23",
        "The European Central Bank left its deposit rate at 2 per cent on Thursday, holding borrowing costs steady for a fourth consecutive meeting as euro-zone inflation hovered close to its target. "
        "President Christine Lagarde said the bank is set to publish the conclusions of its latest strategy assessment by Sept. 30. "
        "The ECB last moved in June 2025, when it trimmed the rate by a quarter point. "
        "Inflation has stayed within a tenth of a point of 2 per cent for nine months. "
        "Economists polled by Reuters put the chance of a cut at the September meeting at 40 per cent. "
        "The Governing Council will next meet on Sept. 10, when new staff projections are due. "
        "Bulgaria became the 21st member of the euro area on Jan. 1 this year. "
        "The central bank, set up in 1998, took charge of monetary policy for 11 countries when the euro was launched the following year. "
        "Lagarde told the European Parliament in June that the bank would not pre-commit to any particular rate path. "
        "If energy prices climb further, the bank could raise rates by December, she said on Thursday. "
        "Eurostat is due to publish its flash estimate of July inflation on Aug. 4. "
        "Markets see even odds that the deposit rate will be below 2 per cent by the end of the year. "
        "Was the pause a mistake, given how weak German industry still looks? "
        "The digital euro could be ready for a pilot early next year, provided lawmakers pass the enabling regulation in the autumn, an ECB board member said. "
        "Lagarde, who turns 71 on New Year’s Day, has led the bank since November 2019.",
        (
            Expect("2026-09-30", "day", ("bank", "strategy")),
            Expect("2026-09-30", "month", ("cut",), probability=0.4),
            Expect("2026-09-10", "day", ("governing", "council")),
            Expect("2026-08-04", "day", ("eurostat", "inflation")),
            Expect("2026-12-31", "year", ("deposit", "rate"), probability=0.5),
        ),
    ),
    Article(
        "Battery start-up founder convicted of fraud, sentencing set for February",
        "2025-11-12",
        "A federal jury in Manhattan on Tuesday convicted Daniel Okafor, the founder of the battery start-up Voltaris, on four counts of securities fraud and one count of wire fraud. "
        "U.S. District Judge Maria Alvarez said sentencing is scheduled for 19 February. "
        "Prosecutors must file their sentencing memorandum by Jan. 30, and the defence must respond by Feb. 6. "
        "Okafor, 44, founded Voltaris in 2017 and took it public through a merger with a blank-cheque company in 2021. "
        "The company filed for bankruptcy in March 2023, wiping out about $2 billion of shareholder value. "
        "Each count carries a maximum sentence of 20 years in prison. "
        "His lawyers will file a motion for a new trial by Dec. 3, a spokeswoman for the defence team said. "
        "Alvarez on Monday rejected a defence request for a mistrial after a juror fell ill. "
        "Legal experts put the chance that Okafor is sentenced to more than ten years in February at two in three. "
        "The Securities and Exchange Commission, which sued Okafor in 2023, has paused its civil case until the criminal proceedings end. "
        "If Okafor agrees to cooperate with investigators, prosecutors may ask for a lighter sentence. "
        "The U.S. attorney’s office will set up a compensation fund for investors within 90 days, a spokesman said. "
        "Okafor remains free on a $5 million bond. "
        "Could the verdict chill investment in clean-tech start-ups? "
        "Voltaris raised more than $600 million from investors between 2019 and 2022.",
        (
            Expect("2026-02-19", "day", ("sentencing",)),
            Expect("2026-01-30", "day", ("prosecutors", "memorandum")),
            Expect("2026-02-06", "day", ("defence", "respond")),
            Expect("2025-12-03", "day", ("lawyers", "motion")),
            Expect("2026-02-28", "month", ("okafor", "sentenced"), probability=0.667),
            Expect("2026-02-10", "day", ("compensation", "fund")),
        ),
    ),
    Article(
        "Holyrood campaign begins as SNP seeks fifth term",
        "2026-03-26",
        "The Scottish Parliament was dissolved on Thursday, formally starting the campaign for the Holyrood election. "
        "Voters will elect all 129 members of the parliament on 7 May. "
        "The Scottish National Party has led every government in Edinburgh since 2007. "
        "The party won 64 seats in 2021, one short of a majority. "
        "First Minister John Swinney said the SNP will publish its manifesto in the week starting 13 April. "
        "Voters who want a postal ballot must apply by 21 April, the Electoral Commission said. "
        "The first televised leaders’ debate will be broadcast by BBC Scotland on 16 April. "
        "Pollsters at Ipsos put the chance that the SNP wins an outright majority in May at about 15 per cent. "
        "Reform UK, which won no seats at the last Holyrood election, is polling in second place. "
        "Will the Greens hold the balance of power again? "
        "If no party wins a majority, the parliament must choose a first minister within 28 days of polling day. "
        "Swinney said in January that he would serve a full five-year term if re-elected. "
        "The parliament first met on 12 May 1999, two years after Scots voted for devolution in a referendum. "
        "Counting is due to finish on 8 May, with results from all 73 constituencies expected by the evening. "
        "Scottish Labour leader Anas Sarwar, who turned 43 this month, launched his party’s campaign in Glasgow on Wednesday.",
        (
            Expect("2026-05-07", "day", ("voters", "elect")),
            Expect("2026-04-19", "week", ("snp", "manifesto")),
            Expect("2026-04-21", "day", ("postal", "ballot")),
            Expect("2026-04-16", "day", ("debate",)),
            Expect("2026-05-31", "month", ("snp", "majority"), probability=0.15),
            Expect("2026-05-08", "day", ("counting", "finish")),
        ),
    ),
    Article(
        "ISRO targets first quarter for uncrewed Gaganyaan flight",
        "2026-01-22",
        "The Indian Space Research Organisation will launch the first uncrewed Gaganyaan test flight in the first quarter of 2026, its chairman said on Wednesday. "
        "The flight, which will carry a humanoid robot called Vyommitra, was originally due to take place in December 2024. "
        "ISRO was founded in 1969, and its first satellite, Aryabhata, was launched in 1975. "
        "India became the fourth country to land on the moon in August 2023. "
        "A second uncrewed flight is set to follow by the end of September, and the first crewed mission is planned for 2027. "
        "Independent analysts give the crewed mission a 35-45% probability of flying before the end of 2027. "
        "The four astronaut candidates, all Indian Air Force test pilots, have been in training for more than five years. "
        "One of them, Shubhanshu Shukla, spent 18 days on the International Space Station last summer on a private Axiom mission. "
        "Prime Minister Narendra Modi promised in 2018 that an Indian would fly to space by 2022. "
        "Will India catch up with China, which has flown its own astronauts since 2003? "
        "NewSpace India Ltd, ISRO’s commercial arm, aims to sign contracts for five more commercial launches before its financial year ends on 31 March. "
        "If the test flight reveals problems with the crew module’s parachutes, the crewed mission could slip by a year, engineers said. "
        "India plans to assemble its own space station, Bharatiya Antariksh Station, by 2035. "
        "The LVM3 rocket chosen for Gaganyaan first flew in 2014.",
        (
            Expect("2026-03-31", "quarter", ("gaganyaan", "launch")),
            Expect("2026-09-30", "month", ("second", "flight")),
            Expect("2027-12-31", "year", ("crewed", "mission")),
            Expect("2027-12-31", "year", ("crewed", "mission"), probability=0.4),
            Expect("2026-03-31", "day", ("newspace", "contracts")),
            Expect("2035-12-31", "year", ("india", "station")),
        ),
    ),
    Article(
        "Britain to swap steel safeguard for import quotas",
        "2026-02-11",
        "Britain will introduce a new system of steel import quotas on 1 July, when its current safeguard measures expire, the Department for Business and Trade said on Tuesday. "
        "The safeguard, inherited from the European Union after Brexit, was introduced in 2019 and has been extended three times. "
        "Business Secretary Peter Kyle said ministers will set the quota volumes for each product by the end of April. "
        "The European Union proposed in October to halve its own steel quotas and double the out-of-quota tariff to 50 per cent. "
        "Steel imports into Britain rose 12 per cent last year, the sharpest increase in a decade. "
        "British Steel, which the government took control of in April last year, employs about 3,500 people at Scunthorpe. "
        "Industry body UK Steel put the chance that domestic output falls again this year at two in three. "
        "The government must notify the World Trade Organization of the change by 31 March, trade lawyers said. "
        "Kyle told the Commons on Monday that the industry was “on a knife-edge”. "
        "If Washington scraps its 25 per cent levy on British steel, London will exempt U.S. metal from the quotas by June. "
        "The United States and Britain agreed in May last year to cut tariffs on British steel to zero, but the deal has never been implemented. "
        "What happens to Port Talbot if demand dries up? "
        "Tata Steel’s new electric arc furnace at Port Talbot is due to start production by the end of 2027. "
        "The Welsh plant closed its last blast furnace in September 2024, ending more than a century of iron-making there.",
        (
            Expect("2026-07-01", "day", ("britain", "quotas")),
            Expect("2026-04-30", "month", ("ministers", "quota")),
            Expect("2026-12-31", "year", ("output", "falls"), probability=0.667),
            Expect("2026-03-31", "day", ("government", "notify")),
            Expect("2027-12-31", "year", ("furnace", "production")),
        ),
    ),
    Article(
        "Lilly weight-loss pill heads for EU verdict in November",
        "2026-09-17",
        "Eli Lilly’s weight-loss pill orforglipron is set to receive an opinion from the European Medicines Agency’s drug committee at its November meeting, the company said on Thursday. "
        "The European Commission usually follows the committee’s advice within about two months. "
        "The U.S. Food and Drug Administration approved the drug on Aug. 26 after a priority review. "
        "Lilly plans to launch the pill in Germany and Britain in the first quarter of 2027. "
        "Analysts at Bernstein put the probability of a positive opinion in November at 85 per cent. "
        "In a 72-week trial, patients on the highest dose lost an average of 12.4 per cent of their body weight. "
        "Lilly, founded in Indianapolis in 1876, became the first drugmaker to be valued at $1 trillion last year. "
        "The company will report third-quarter results on Oct. 29. "
        "Novo Nordisk, whose Wegovy injection was approved in Europe in January 2022, has cut its sales forecast several times since. "
        "Will cheaper pills ease the shortages of injectable drugs that plagued patients for two years? "
        "If regulators ask for more data on liver safety, approval could slip into the second half of 2027, analysts warned. "
        "Lilly told investors in April that it had built up stocks of the pill worth $550 million before approval. "
        "The company aims to have its new plant in Virginia producing the pill by 2028. "
        "Shares of Lilly rose 3 per cent on Thursday.",
        (
            Expect("2026-11-30", "month", ("orforglipron", "opinion")),
            Expect("2027-03-31", "quarter", ("lilly", "launch")),
            Expect("2026-11-30", "month", ("positive", "opinion"), probability=0.85),
            Expect("2026-10-29", "day", ("company", "results")),
            Expect("2028-12-31", "year", ("virginia", "plant")),
        ),
    ),
    Article(
        "Sudan’s warring sides agree three-month humanitarian truce",
        "2026-04-15",
        "Sudan’s army and the paramilitary Rapid Support Forces will begin a three-month humanitarian truce on Saturday, mediators from the United States, Saudi Arabia, Egypt and the United Arab Emirates said on Tuesday. "
        "The war began three years ago to the day, when fighting erupted between the two forces in Khartoum. "
        "It has killed tens of thousands of people and driven more than 12 million from their homes. "
        "A joint monitoring committee is due to hold its first meeting in Jeddah within 10 days. "
        "Under the agreement, both sides must pull heavy weapons back from the outskirts of El Obeid by 30 April. "
        "A ceasefire agreed in Jeddah in May 2023 collapsed within days. "
        "Aid agencies said the first convoys could reach North Darfur next month. "
        "Army chief Abdel Fattah al-Burhan said on Monday that his forces would respond to any violation. "
        "Western diplomats put the chance that the truce is still holding at the end of July at one in three. "
        "The United Nations says about 25 million people in Sudan face acute hunger, more than in any other country. "
        "If the truce holds, the mediators will convene political talks in Cairo by the end of June. "
        "The U.N. Security Council will be briefed on the agreement on April 21. "
        "What guarantees do civilians in Darfur have this time? "
        "Sudan gained independence from Britain and Egypt in 1956. "
        "RSF leader Mohamed Hamdan Dagalo, known as Hemedti, did not attend Tuesday’s signing in Riyadh.",
        (
            Expect("2026-04-18", "day", ("truce", "begin")),
            Expect("2026-04-25", "day", ("committee", "meeting")),
            Expect("2026-04-30", "day", ("weapons", "obeid")),
            Expect("2026-05-31", "month", ("convoys", "darfur")),
            Expect("2026-07-31", "month", ("truce", "holding"), probability=0.333),
            Expect("2026-04-21", "day", ("security", "council")),
        ),
    ),
    Article(
        "Madrid street circuit races to be ready for Formula One debut",
        "2026-05-20",
        "Organisers of Madrid’s new street circuit said on Wednesday that construction will be completed by July 31, six weeks before the city hosts its first Formula One race. "
        "The Madrid Grand Prix is scheduled for Sept. 13, the first world championship race near the capital since 1981. "
        "Barcelona, which has hosted the Spanish Grand Prix since 1991, will stage a separate race in June. "
        "Fernando Alonso, who turns 45 on July 29, won the second of his two world titles in 2006. "
        "Carlos Sainz said on Tuesday that the track would be “one of the best on the calendar”. "
        "Organisers expect to sell all 110,000 tickets for race day by the end of June. "
        "The 5.4-kilometre layout, which runs around the IFEMA exhibition centre, includes a banked corner nicknamed La Monumental. "
        "Residents’ groups lost a court challenge against the project in February. "
        "Bookmakers offer even odds that a Spanish driver will finish on the podium in Madrid on Sept. 13. "
        "Will the circuit really be ready in time? "
        "If the track fails its final inspection this autumn, the race will move to Jarama, officials said. "
        "The contract with Formula One runs for ten years. "
        "The 2027 calendar will be published in the week starting 7 December, the sport’s governing body said. "
        "Spain last staged two races in a season in 2012, when Valencia hosted the European Grand Prix.",
        (
            Expect("2026-07-31", "day", ("construction", "completed")),
            Expect("2026-09-13", "day", ("grand", "prix")),
            Expect("2026-06-30", "month", ("barcelona", "race")),
            Expect("2026-06-30", "month", ("tickets",)),
            Expect("2026-09-13", "day", ("spanish", "podium"), probability=0.5),
            Expect("2026-12-13", "week", ("calendar", "published")),
        ),
    ),
    Article(
        "Spain’s grid operator to upgrade substations after April blackout",
        "2025-10-08",
        "Spain’s grid operator Red Eléctrica will install new voltage control equipment at 12 substations by the end of March, the company said on Wednesday. "
        "The April 28 blackout cut power to almost all of mainland Spain and Portugal for up to 18 hours. "
        "A government report published in June blamed insufficient voltage control for the outage. "
        "ENTSO-E, the European association of grid operators, is due to publish its final report on the blackout in the first quarter of 2026. "
        "Solar panels were supplying almost 60 per cent of Spain’s electricity when the grid collapsed. "
        "The Almaraz nuclear plant is due to shut its first reactor in November 2027 under the current phase-out schedule. "
        "Its owners, led by Iberdrola, have asked the government to let the plant run until 2030. "
        "Energy Minister Sara Aagesen said battery storage capacity will triple by 2030. "
        "Analysts at BloombergNEF put the probability that the battery target is met by 2030 at 55 per cent. "
        "Spain and France will complete a new undersea power link through the Bay of Biscay in 2028. "
        "Could it happen again? "
        "If demand from data centres keeps rising, the regulator may cap new grid connections next year. "
        "Red Eléctrica, founded in 1985, was the world’s first company dedicated solely to electricity transmission. "
        "Portugal’s grid had been fully restored by the early hours of April 29.",
        (
            Expect("2026-03-31", "month", ("install", "voltage")),
            Expect("2026-03-31", "quarter", ("final", "report")),
            Expect("2027-11-30", "month", ("almaraz", "reactor")),
            Expect("2030-12-31", "year", ("battery", "triple")),
            Expect("2030-12-31", "year", ("battery", "target"), probability=0.55),
            Expect("2028-12-31", "year", ("biscay", "link")),
        ),
    ),
    Article(
        "Harbour & Finch profit rises 14%, 11 stores to close",
        "2027-02-17",
        "Australian department store chain Harbour & Finch reported a 14 per cent rise in first-half profit on Wednesday and said it will close 11 stores before its financial year ends on 30 June. "
        "Net profit for the six months to Dec. 31 rose to A$212 million. "
        "Chief executive Priya Raman, who joined from Wesfarmers in 2023, said the company will open its first New Zealand store in Auckland in the week starting 10 May. "
        "The chain will pay an interim dividend of 18 cents a share on March 25. "
        "Harbour & Finch was founded in Hobart in 1884 and listed on the Australian Securities Exchange in 1962. "
        "In August, the company had forecast full-year sales growth of 3 to 4 per cent. "
        "Analysts at Morgans see a 60-70% probability that the retailer rejoins the ASX 200 index at the June rebalance. "
        "The shares rose 7 per cent, their biggest one-day gain in a decade. "
        "If consumer spending weakens, the group could postpone the refurbishment of its Brisbane flagship to 2028. "
        "The company promised in 2025 to cut net debt below A$300 million by the end of 2026, and met that goal in November. "
        "The retailer will report full-year results on Aug. 19. "
        "Did the chain cut prices too deeply before Christmas? "
        "Raman said the company aims to lift online sales to a third of revenue by 2029. "
        "Online sales made up 22 per cent of revenue in the half, up from 9 per cent in 2019.",
        (
            Expect("2027-06-30", "day", ("close", "stores")),
            Expect("2027-05-16", "week", ("zealand", "store")),
            Expect("2027-03-25", "day", ("dividend",)),
            Expect("2027-06-30", "month", ("asx",), probability=0.65),
            Expect("2027-08-19", "day", ("results",)),
            Expect("2029-12-31", "year", ("online", "sales")),
        ),
    ),
    Article(
        "Lakeport light rail to open north line in May",
        "2026-11-18",
        "The Lakeport Transit Authority will open the north line of its light-rail network in May and the south line by the end of 2027, its board said on Tuesday. "
        "The $4.1 billion project broke ground in 2021 and was originally due to open in the summer of 2025. "
        "Test trains have been running on the north line since September. "
        "Contractors must hand over the Central Station interchange to the authority by Jan. 31. "
        "Board chair Denise Morales, who has led the authority for nine years, called the delays “unacceptable”. "
        "The authority is set to vote on fares for the new lines at its December meeting. "
        "Bus route 14 was cut on Monday to free up drivers for the rail service. "
        "An independent review put the chance of the south line opening by the end of 2027 at 45 per cent. "
        "If federal funding arrives by mid-2027, the authority will extend the south line to the airport by 2032. "
        "The city’s streetcar network, which closed in 1957, once carried 200,000 passengers a day. "
        "Construction of a 900-space park-and-ride garage at Elm Street will start next month. "
        "The authority said in March that the north line would open by Labor Day. "
        "Will riders return once the trains finally run? "
        "Ridership on the city’s buses is still 15 per cent below its 2019 level.",
        (
            Expect("2027-05-31", "month", ("north", "line")),
            Expect("2027-12-31", "year", ("south", "line")),
            Expect("2027-01-31", "day", ("contractors", "interchange")),
            Expect("2026-12-31", "month", ("vote", "fares")),
            Expect("2027-12-31", "year", ("south", "line"), probability=0.45),
            Expect("2026-12-31", "month", ("garage", "construction")),
        ),
    ),
    Article(
        "England to launch measles catch-up drive as cases climb",
        "2026-03-04",
        "The UK Health Security Agency will launch a catch-up measles vaccination campaign for children in England next month, officials said on Wednesday. "
        "A child died of measles in Liverpool in July 2025, and cases have continued to rise since. "
        "Uptake of the second MMR dose by age five stood at 84 per cent last year, the lowest level in 15 years. "
        "GP surgeries must send the agency lists of unvaccinated children by 20 March. "
        "The combined MMRV jab, which also protects against chickenpox, was added to the routine schedule in January. "
        "Modellers at the agency put the probability of more than 2,000 confirmed cases this year at 60 per cent. "
        "The MMR vaccine was introduced in Britain in 1988. "
        "Health Secretary Wes Streeting said in January that school nurses would visit every primary school by Easter. "
        "Pharmacies may begin offering the jab to children over five by the end of May. "
        "Will parents who refused before change their minds? "
        "If cases keep rising, ministers could make vaccination a condition of nursery places by September. "
        "The agency is due to publish its next monthly case figures on 12 March. "
        "The campaign aims to reach 500,000 children by the end of the school year in July. "
        "Measles was declared eliminated in Britain in 2017, on the basis of data from 2014 to 2016.",
        (
            Expect("2026-04-30", "month", ("measles", "campaign")),
            Expect("2026-03-20", "day", ("surgeries", "lists")),
            Expect("2026-12-31", "year", ("cases",), probability=0.6),
            Expect("2026-05-31", "month", ("pharmacies", "jab")),
            Expect("2026-03-12", "day", ("agency", "figures")),
            Expect("2026-07-31", "month", ("campaign", "children")),
        ),
    ),
    Article(
        "Brussels proposes delay to toughest AI rules",
        "2025-11-19",
        "The European Commission on Wednesday proposed delaying the toughest parts of its Artificial Intelligence Act by up to 16 months, bowing to pressure from industry and several member states. "
        "If lawmakers approve the plan, obligations for high-risk AI systems will apply from December 2027 rather than August 2026. "
        "The AI Act entered into force on Aug. 1, 2024, after three years of negotiations. "
        "Rules for general-purpose AI models took effect in August. "
        "Several member states missed an Aug. 2 deadline to designate national regulators. "
        "The European Parliament is likely to vote on the package in the first quarter of 2026, its lead negotiator said. "
        "The Commission will publish guidelines on transparency obligations by the end of the year. "
        "Digital rights groups put the odds of the delay being approved by the end of June at four in five. "
        "Tech chief Henna Virkkunen said on Wednesday that the bloc would not pause the law altogether. "
        "The Commission will also present a digital fairness act in the third quarter of 2026. "
        "Europe has been accused for years of over-regulating its technology sector. "
        "What does the delay mean for start-ups? "
        "The package also amends the General Data Protection Regulation, which took effect in May 2018. "
        "Telecoms ministers will discuss the proposal in Brussels on Dec. 5. "
        "Former Italian prime minister Mario Draghi warned in September 2024 that Europe was falling behind in technology.",
        (
            Expect("2026-03-31", "quarter", ("parliament", "vote")),
            Expect("2025-12-31", "year", ("commission", "guidelines")),
            Expect("2026-06-30", "month", ("delay", "approved"), probability=0.8),
            Expect("2026-09-30", "quarter", ("commission", "fairness")),
            Expect("2025-12-05", "day", ("ministers", "discuss")),
        ),
    ),
    Article(
        "German train drivers to open wage talks with Deutsche Bahn",
        "2026-01-28",
        "Germany’s train drivers’ union GDL will open wage talks with Deutsche Bahn on Feb. 9, the union said on Wednesday. "
        "The current contract was agreed in March 2024 after a series of six strikes that paralysed rail traffic. "
        "GDL leader Mario Reiß said the union will present its pay demands by the 15th. "
        "Reiß took over in September 2024 from Claus Weselsky, who had led the union for 16 years. "
        "Deutsche Bahn, formed in 1994 from the merger of the East and West German railways, carried almost 2 billion passengers last year. "
        "Industry analysts put the chance of rail strikes in March at 70 per cent. "
        "Only about 62 per cent of long-distance trains ran on time last year. "
        "Deutsche Bahn aims to lift long-distance punctuality above 70 per cent by 2029. "
        "Will commuters face another spring of walkouts? "
        "If talks fail, the union will hold a strike ballot within four weeks. "
        "The railway’s chief executive, Evelyn Palla, took office on Oct. 1. "
        "The larger EVG union settled its own pay dispute with the railway last year. "
        "Lufthansa ground staff represented by the Verdi union are set to strike at Frankfurt and Munich airports on Friday. "
        "Verdi staged a similar walkout at Lufthansa in February 2024.",
        (
            Expect("2026-02-09", "day", ("gdl", "talks")),
            Expect("2026-02-15", "day", ("union", "demands")),
            Expect("2026-03-31", "month", ("strikes",), probability=0.7),
            Expect("2029-12-31", "year", ("punctuality",)),
            Expect("2026-01-30", "day", ("lufthansa", "strike")),
        ),
    ),
    # -- end of articles --
]  # fmt: skip
