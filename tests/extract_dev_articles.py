# ruff: noqa: E501, RUF001
"""The extractor's development set: whole articles with distractors (see
tests/extract_dev_sentences.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.extract_dev_sentences import Expect


@dataclass(frozen=True)
class Article:
    title: str
    published: str
    text: str  # 8-20 sentences, with distractors (past events, quotes about history, dates that are not deadlines)
    # every non-conditional dated forecast in the article, in text order
    forecasts: tuple[Expect, ...]


ARTICLES: list[Article] = [
    Article(
        "Bank of England holds rates, signals cuts ahead",
        "2025-03-27",
        "The Bank of England held interest rates at 4.5 per cent on Thursday, as policymakers weighed a jump in energy bills against a weakening labour market. "
        "The Monetary Policy Committee voted 8-1 to keep rates on hold, with one member backing a cut. "
        "The bank last cut rates in February, its third reduction since August 2024. "
        "Governor Andrew Bailey said the bank will cut Bank Rate again in May. "
        "Economists at Capital Economics put the probability of a further cut by August at 70 per cent. "
        "The bank was given operational independence in 1997 by Gordon Brown, then chancellor. "
        "“We have been here before,” Bailey said, recalling the inflation spike of 2022. "
        "If wage growth fails to slow, the committee will keep rates unchanged until the end of the year, Bailey warned. "
        "The next Monetary Policy Report will be published on May 8. "
        "Official figures published on Wednesday showed inflation fell to 2.8 per cent in February.",
        (
            Expect("2025-05-31", "month", ("bank", "cut")),
            Expect("2025-08-31", "month", ("cut",), probability=0.7),
            Expect("2025-05-08", "day", ("monetary", "policy", "report")),
        ),
    ),
    Article(
        "Judge sets timetable in Google ad tech case",
        "2026-01-13",
        "A federal judge in Virginia on Monday set out a timetable for deciding how to remedy Google’s monopoly in advertising technology. "
        "Judge Leonie Brinkema ruled last April that Google had illegally monopolised parts of the market. "
        "The remedies trial took place in September, and closing arguments were heard in November. "
        "Brinkema said she will issue her remedies decision by the end of February. "
        "Google has said it will appeal any order to divest its ad exchange. "
        "The company will file its notice of appeal within 30 days of the ruling, a spokesperson said. "
        "The Justice Department, which first sued Google in 2020, is seeking a sale of AdX. "
        "A separate appeal in the search case will be argued before the D.C. Circuit in the week starting Feb. 9. "
        "Google was founded in 1998 and went public in 2004. "
        "Should Brinkema order a sale, Google would have until the end of 2027 to complete it. "
        "Shares of Alphabet rose 1 per cent on Monday.",
        (
            Expect("2026-02-28", "month", ("brinkema", "decision")),
            Expect("2026-02-15", "week", ("appeal", "argued")),
        ),
    ),
    Article(
        "Brazil’s campaign opens with Lula ahead in polls",
        "2026-08-19",
        "Brazil’s presidential campaign formally began on Sunday, with President Luiz Inácio Lula da Silva leading most polls. "
        "Voters will go to the polls in the first round on Oct. 4. "
        "If no candidate wins a majority, a runoff will be held on Oct. 25. "
        "Lula, who turns 81 in October, first won the presidency in 2002. "
        "The electoral court will register all candidacies by Sept. 17. "
        "Free television advertising starts on Aug. 28. "
        "Former President Jair Bolsonaro was barred from running in 2023 and was convicted last year of plotting a coup. "
        "The last televised debate will be held on Oct. 1, the broadcaster Globo said. "
        "In 2022, Lula beat Bolsonaro by less than two percentage points. "
        "The new president will take office on Jan. 1, 2027.",
        (
            Expect("2026-10-04", "day", ("voters", "polls")),
            Expect("2026-09-17", "day", ("electoral", "court", "candidacies")),
            Expect("2026-08-28", "day", ("advertising", "starts")),
            Expect("2026-10-01", "day", ("debate",)),
            Expect("2027-01-01", "day", ("president", "office")),
        ),
    ),
    Article(
        "Blue Origin readies New Glenn for Mars mission",
        "2025-09-16",
        "Blue Origin will launch NASA’s ESCAPADE probes to Mars on its New Glenn rocket in the autumn, the company said on Monday. "
        "The mission was originally due to fly in October 2024 but was delayed. "
        "New Glenn first reached orbit on Jan. 16 this year. "
        "The company, founded by Jeff Bezos in 2000, has yet to land the rocket’s booster. "
        "Engineers put the odds of a successful booster landing on the next flight at fifty-fifty. "
        "Blue Origin will also fly its Blue Moon Mark 1 lander to the moon in the first half of 2026. "
        "Will New Glenn ever launch as often as Falcon 9? "
        "SpaceX launched its 100th mission of the year in August. "
        "NASA paid $79 million for the ESCAPADE mission, which was approved in 2019. "
        "Bezos told employees in January that the rocket would fly again by the spring. "
        "The company will begin launching Amazon’s Kuiper satellites on New Glenn by the end of next year.",
        (
            Expect("2025-11-30", "season", ("blue", "origin", "escapade")),
            Expect("2026-06-30", "half", ("blue", "origin", "lander")),
            Expect("2026-12-31", "year", ("company", "kuiper")),
        ),
    ),
    Article(
        "EU readies countermeasures as tariff deadline looms",
        "2025-07-23",
        "The European Union will approve a €93 billion package of countermeasures against U.S. goods by Thursday, diplomats said. "
        "A 30 per cent U.S. tariff on most EU imports is due to take effect on Aug. 1. "
        "Negotiators first met in April, after President Donald Trump announced his “Liberation Day” tariffs on April 2. "
        "Should talks fail, the EU measures would apply from Aug. 7. "
        "Trade Commissioner Maros Sefcovic will travel to Washington on Monday. "
        "The bloc last imposed retaliatory duties on American whiskey in 2018. "
        "Diplomats put the chances of a deal by the end of July at 60 to 70 per cent. "
        "Japan agreed a deal with Washington on Tuesday that cut the tariff on its cars to 15 per cent. "
        "The European Economic Community was founded by the Treaty of Rome in 1957. "
        "Will Brussels blink first?",
        (
            Expect("2025-07-24", "day", ("european", "union", "countermeasures")),
            Expect("2025-08-01", "day", ("tariff",)),
            Expect("2025-07-28", "day", ("sefcovic", "washington")),
            Expect("2025-07-31", "month", ("deal",), probability=0.65),
        ),
    ),
    Article(
        "FDA panel to weigh new RSV vaccine for infants",
        "2026-05-14",
        "An FDA advisory panel will meet on June 11 to review Pfizer’s new RSV vaccine for infants. "
        "The agency is due to make a final decision by Aug. 30. "
        "Pfizer’s first RSV shot, Abrysvo, was approved in May 2023. "
        "RSV kills between 100 and 300 children under five in the United States each year, according to the CDC. "
        "Analysts at Leerink Partners put the probability of approval by the end of August at 80 per cent. "
        "If approved, the vaccine would be available in pharmacies for the autumn season. "
        "Last year, the panel voted 10-4 against a rival product from Moderna. "
        "The CDC’s vaccine advisers, who met on April 15, will take up the shot at their June meeting. "
        "Pfizer said it will not raise the vaccine’s price this year. "
        "The company, founded in Brooklyn in 1849, is one of the world’s largest drugmakers. "
        "Shares of Pfizer rose 2 per cent on Wednesday.",
        (
            Expect("2026-06-11", "day", ("panel", "review")),
            Expect("2026-08-30", "day", ("agency", "decision")),
            Expect("2026-08-31", "month", ("approval",), probability=0.8),
            Expect("2026-06-30", "month", ("advisers", "shot")),
            Expect("2026-12-31", "year", ("pfizer", "not", "raise")),
        ),
    ),
    Article(
        "U.S. and Russian officials meet in Riyadh",
        "2025-02-18",
        "Senior U.S. and Russian officials met in Riyadh on Tuesday for their first talks since the invasion of Ukraine in February 2022. "
        "The two sides agreed to restore embassy staff and will hold a second round of talks by the end of March, a State Department spokeswoman said. "
        "Ukraine was not invited, and President Volodymyr Zelenskyy said Kyiv would not recognise any deal made without it. "
        "Zelenskyy will visit Turkey on Wednesday. "
        "European leaders held an emergency meeting in Paris on Monday. "
        "The war began three years ago next Monday. "
        "Western officials put the chance of a ceasefire by the summer at one in four. "
        "If a ceasefire is agreed, European troops could deploy as peacekeepers within months. "
        "Russia’s foreign minister, Sergei Lavrov, has held the post since 2004. "
        "The U.S. envoy Keith Kellogg will travel to Kyiv on Thursday. "
        "Did Washington give away too much before the talks even began?",
        (
            Expect("2025-03-31", "month", ("sides", "talks")),
            Expect("2025-02-19", "day", ("zelenskyy", "turkey")),
            Expect("2025-08-31", "season", ("ceasefire",), probability=0.25),
            Expect("2025-02-20", "day", ("kellogg", "kyiv")),
        ),
    ),
    Article(
        "England into World Cup quarter-finals",
        "2026-06-30",
        "England beat Senegal 2-0 on Sunday to reach the World Cup quarter-finals. "
        "Thomas Tuchel’s side will face Brazil in Boston on Saturday. "
        "Harry Kane, who turns 33 on July 28, scored both goals. "
        "England last won the World Cup in 1966. "
        "Bookmakers give England a 20 per cent chance of lifting the trophy on July 19. "
        "Bukayo Saka is unlikely to play again before July 10, the FA said. "
        "Should England win, the semi-final would be played in Dallas on July 14. "
        "Tuchel’s contract runs until the end of the tournament. "
        "The FA will announce the venue for the November friendlies by the end of August. "
        "In 2021, England lost the European Championship final on penalties. "
        "Did Tuchel get his tactics right?",
        (
            Expect("2026-07-04", "day", ("side", "brazil")),
            Expect("2026-07-19", "day", ("england", "trophy"), probability=0.2),
            Expect("2026-07-09", "day", ("saka", "play"), hedge="unlikely"),
            Expect("2026-08-31", "month", ("fa", "venue")),
        ),
    ),
    Article(
        "COP29 talks stall over finance goal",
        "2024-11-14",
        "Negotiators at the COP29 climate summit in Baku will agree a new finance goal by the end of next week, the Azerbaijani presidency said on Thursday. "
        "The summit opened on Monday and is scheduled to close on Nov. 22. "
        "Developed countries pledged in 2009 to mobilise $100 billion a year by 2020, a target met only in 2022. "
        "Argentina withdrew its delegation on Wednesday. "
        "Analysts at the think tank E3G put the odds of a deal worth more than $1 trillion a year being agreed by Nov. 22 at one in five. "
        "The United Nations Framework Convention on Climate Change was adopted in 1992. "
        "Brazil will host next year’s summit in Belém in November 2025. "
        "Unless rich countries raise their offer, poorer nations will walk out, negotiators warned. "
        "Last year was the hottest on record. "
        "The EU will publish its own 2040 target in the first quarter of 2025.",
        (
            Expect("2024-11-24", "week", ("negotiators", "finance", "goal")),
            Expect("2024-11-22", "day", ("summit", "close")),
            Expect("2024-11-22", "day", ("deal",), probability=0.2),
            Expect("2025-11-30", "month", ("brazil", "summit")),
            Expect("2025-03-31", "quarter", ("eu", "target")),
        ),
    ),
    Article(
        "Carmaker cuts forecast and plans 8,000 job cuts",
        "2027-04-28",
        "The carmaker cut its full-year profit forecast on Wednesday and said it will eliminate 8,000 jobs by the end of 2028. "
        "First-quarter operating profit fell 38 per cent from a year earlier. "
        "The chief executive, who took over in 2019, said the company will launch six new models in the second half of the year. "
        "The company was founded in 1926 after a merger of two rivals. "
        "It will present a new strategy at a capital markets day on June 15. "
        "The shares fell 6 per cent in Frankfurt. "
        "Analysts at UBS see a 30% chance that the company suspends its dividend next year. "
        "Should U.S. tariffs rise again, the company would shift production of its large SUVs to Alabama by 2029. "
        "The company told investors in January that margins would recover by the end of March. "
        "Unions said they would not accept plant closures. "
        "The works council will meet management on May 5.",
        (
            Expect("2028-12-31", "year", ("carmaker", "jobs")),
            Expect("2027-12-31", "half", ("company", "models")),
            Expect("2027-06-15", "day", ("strategy",)),
            Expect("2028-12-31", "year", ("dividend",), probability=0.3),
            Expect("2027-05-05", "day", ("council", "meet")),
        ),
    ),
    Article(
        "Munich airport reopens after drone sightings",
        "2025-10-02",
        "Munich airport reopened on Wednesday after drone sightings forced it to suspend flights overnight. "
        "Interior Minister Alexander Dobrindt said the government will give police powers to shoot down drones by the end of the year. "
        "The airport, which opened in 1992, handles about 40 million passengers a year. "
        "More than 3,000 passengers were stranded on Tuesday night. "
        "Lufthansa will add extra flights on Saturday to clear the backlog. "
        "The EU will present its plans for a “drone wall” on its eastern flank on Oct. 16. "
        "Analysts say there is a 40 per cent chance of another airport closure in Germany by November. "
        "Copenhagen airport was closed for several hours last month after a similar incident. "
        "If drones appear again, flights will be diverted to Nuremberg. "
        "Will Europe’s airports ever be drone-proof? "
        "The Oktoberfest, first held in 1810, also closed for several hours.",
        (
            Expect("2025-12-31", "year", ("government", "police", "drones")),
            Expect("2025-10-04", "day", ("lufthansa", "flights")),
            Expect("2025-10-16", "day", ("eu", "drone", "wall")),
            Expect("2025-11-30", "month", ("airport", "closure"), probability=0.4),
        ),
    ),
    Article(
        "Chipmaker delays German plant to 2030",
        "2027-01-21",
        "The chipmaker will begin production at its Magdeburg plant in 2030, two years later than planned, it said on Thursday. "
        "The plant was announced in 2022 with €10 billion in state aid. "
        "Construction will start in the second quarter. "
        "The company will hire 3,000 workers by 2031 and train 500 apprentices by the end of 2028. "
        "Germany’s economy minister said in December that Berlin would sign the aid contract by Jan. 15. "
        "The EU Chips Act was adopted in 2023. "
        "Analysts put the odds of the project being scrapped altogether by 2029 at one in five. "
        "If demand for AI chips slows, the company could delay the plant again. "
        "The company’s chief executive, who turns 60 in March, joined in 2021. "
        "Unions will hold a rally in Magdeburg on Saturday. "
        "Will Magdeburg become Germany’s Silicon Valley?",
        (
            Expect("2030-12-31", "year", ("chipmaker", "production")),
            Expect("2027-06-30", "quarter", ("construction", "start")),
            Expect("2031-12-31", "year", ("company", "hire")),
            Expect("2028-12-31", "year", ("company", "apprentices")),
            Expect("2029-12-31", "year", ("project", "scrapped"), probability=0.2),
            Expect("2027-01-23", "day", ("unions", "rally")),
        ),
    ),
    # -- end of articles --
]  # fmt: skip
