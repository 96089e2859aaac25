// The resolve buttons and the forecast forms: POST to the JSON API with the token typed on the
// page, then reload so that every section (and each forecast chart) is rendered again by the
// server; a proposal's Accept and Reject say what came of them in its row instead. The token
// lives in localStorage only: never in a URL, a cookie or the HTML.
"use strict";

(function () {
  const TOKEN_KEY = "tracker.apiToken";
  const FLASH_KEY = "tracker.flash";
  const tokenField = document.getElementById("token");

  function stored(storage, key) {
    try {
      return storage.getItem(key);
    } catch (_) {
      return null; // storage can be disabled (private windows, strict settings)
    }
  }

  function store(storage, key, value) {
    try {
      if (value) storage.setItem(key, value);
      else storage.removeItem(key);
    } catch (_) {
      // Without storage the token is typed again after each reload; nothing else breaks.
    }
  }

  // Whose the typed token is and what it may do, as GET api/v1/whoami says; or why not.
  const who = document.getElementById("token-who");
  let askedFor = null;
  let pause = null;

  function say(text, bad) {
    who.textContent = text;
    who.classList.toggle("bad", bad);
    who.hidden = !text;
  }

  async function showWhose(token) {
    askedFor = token;
    if (!token) {
      say("", false);
      return;
    }
    let text;
    let bad = true;
    try {
      const response = await fetch("api/v1/whoami", {
        headers: { Authorization: "Bearer " + token },
        cache: "no-store",
      });
      if (response.ok) {
        text = (await response.json()).description;
        bad = false;
      } else {
        text = (await detailOf(response)) + " (HTTP " + response.status + ")";
      }
    } catch (error) {
      text = "Could not reach the server: " + error.message;
    }
    if (askedFor === token) say(text, bad); // an answer for a token since changed is stale
  }

  function tokenChanged() {
    clearTimeout(pause);
    const token = tokenField.value.trim();
    pause = setTimeout(function () { showWhose(token); }, 300); // not one request per key
  }

  if (tokenField) {
    tokenField.value = stored(window.localStorage, TOKEN_KEY) || "";
    tokenField.addEventListener("input", function () {
      store(window.localStorage, TOKEN_KEY, tokenField.value.trim());
      tokenChanged();
    });
    document.getElementById("forget-token").addEventListener("click", function () {
      tokenField.value = "";
      store(window.localStorage, TOKEN_KEY, "");
      showWhose("");
      tokenField.focus();
    });
    if (tokenField.value) showWhose(tokenField.value.trim());
    document.getElementById("token-form").addEventListener("submit", function (event) {
      event.preventDefault(); // Enter in the field must not submit it anywhere
    });
  }

  const flash = document.getElementById("flash");
  const message = stored(window.sessionStorage, FLASH_KEY);
  if (flash && message) {
    flash.textContent = message;
    flash.hidden = false;
    store(window.sessionStorage, FLASH_KEY, "");
  }

  function showError(item, text) {
    const box = item.querySelector(".error");
    box.textContent = text;
    box.hidden = false;
  }

  function setBusy(item, busy) {
    item.querySelectorAll(".resolve button").forEach(function (button) {
      button.disabled = busy;
    });
  }

  async function detailOf(response) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch (_) {
      // not JSON: a proxy's error page, say
    }
    return response.statusText || "the request failed";
  }

  function currentToken() {
    return tokenField ? tokenField.value.trim() : "";
  }

  function askForToken(show) {
    show("Type the API token above first; this browser keeps it for next time.");
    if (tokenField) tokenField.focus();
  }

  // POST body as JSON; resolves to null when the server took it, else to the error to show.
  // With `answer`, a taken POST's JSON is handed to it.
  async function post(url, body, token, answer) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
        body: JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      return "Could not reach the server: " + error.message;
    }
    if (response.ok) {
      if (answer) answer(await response.json());
      return null;
    }
    return (await detailOf(response)) + " (HTTP " + response.status + ")";
  }

  function reloadSaying(text) {
    store(window.sessionStorage, FLASH_KEY, text);
    window.location.reload();
  }

  async function resolve(item, outcome) {
    const token = currentToken();
    if (!token) {
      askForToken(function (text) { showError(item, text); });
      return;
    }
    const body = { outcome: outcome };
    item.querySelectorAll(".extra input").forEach(function (input) {
      const value = input.value.trim();
      if (value) body[input.name] = value;
    });
    const url = "api/v1/predictions/" + encodeURIComponent(item.dataset.key) + "/resolve";
    setBusy(item, true);
    item.querySelector(".error").hidden = true;
    const problem = await post(url, body, token);
    if (problem === null) {
      const claim = item.querySelector(".claim").textContent;
      reloadSaying("Resolved \u201c" + claim + "\u201d: " + outcome + ".");
      return;
    }
    setBusy(item, false);
    showError(item, problem);
  }

  async function addForecast(form, item) {
    const box = form.querySelector(".form-error");
    function show(text) {
      box.textContent = text;
      box.hidden = false;
    }
    const token = currentToken();
    if (!token) {
      askForToken(show);
      return;
    }
    const body = {};
    form.querySelectorAll("input[name]").forEach(function (input) {
      const value = input.value.trim();
      if (value) body[input.name] = value;
    });
    const url = "api/v1/questions/" + encodeURIComponent(item.dataset.key) + "/forecasts";
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    box.hidden = true;
    const problem = await post(url, body, token);
    if (problem === null) {
      const claim = item.querySelector(".claim").textContent;
      const whose = body.forecaster ? body.forecaster + "\u2019s" : "your";
      reloadSaying(
        "Recorded " + whose + " forecast on \u201c" + claim + "\u201d: " + body.probability + "."
      );
      return;
    }
    button.disabled = false;
    show(problem);
  }

  // Accept or Reject a proposal. The row says what came of it in place, without a reload: the
  // other proposals may be half-read, and the question it made shows on the next visit.
  function decidedText(decision, answer) {
    if (decision === "reject") return "Rejected.";
    if (!answer.attached) return "Stored as " + answer.question + ".";
    const added = answer.forecast_added ? " (its source and a forecast)" : " (its source)";
    return "Added to " + answer.question + added + ".";
  }

  async function decide(item, decision) {
    const buttons = item.querySelectorAll(".decide button");
    const box = item.querySelector(".error");
    function show(text) {
      box.textContent = text;
      box.hidden = false;
    }
    const token = currentToken();
    if (!token) {
      askForToken(show);
      return;
    }
    const body = {};
    const reason = item.querySelector("input[name=reason]");
    if (decision === "reject" && reason && reason.value.trim()) body.reason = reason.value.trim();
    const url = "api/v1/proposals/" + encodeURIComponent(item.dataset.proposal) + "/" + decision;
    buttons.forEach(function (button) { button.disabled = true; });
    box.hidden = true;
    let answer = null;
    const problem = await post(url, body, token, function (json) { answer = json; });
    if (problem !== null) {
      buttons.forEach(function (button) { button.disabled = false; });
      show(problem);
      return;
    }
    const done = item.querySelector(".decided");
    done.textContent = decidedText(decision, answer);
    done.hidden = false;
    item.classList.add("done");
    item.querySelector(".decide").hidden = true;
    item.querySelector(".extra").hidden = true;
  }

  document.addEventListener("click", function (event) {
    const choice = event.target.closest(".decide button[data-decision]");
    if (choice) {
      const row = choice.closest("li[data-proposal]");
      if (row) decide(row, choice.dataset.decision);
      return;
    }
    const button = event.target.closest(".resolve button[data-outcome]");
    if (!button) return;
    const item = button.closest("li[data-key]");
    if (item) resolve(item, button.dataset.outcome);
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.forecast");
    if (!form) return;
    event.preventDefault(); // the API takes JSON with the token; the CSP allows no form action
    const item = form.closest("li[data-key]");
    if (item) addForecast(form, item);
  });
})();
