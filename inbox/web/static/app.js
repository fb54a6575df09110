// Banco's own script. Everything on the page works without it; with it, cards on the order board
// can be dragged to another status (or moved with the select without reloading the page), a
// reply form cannot be sent twice by a double click, and Enter in a reply's "send later" time
// schedules it. It writes no words of its own: each text it shows comes from the page (a data-*
// attribute the template fills in the maker's language) or from the server's answer.
"use strict";

(function () {
  const token = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  const news = () => document.getElementById("board-news");

  function say(text) {
    const region = news();
    if (region) region.textContent = text;
  }

  function showError(text) {
    const main = document.getElementById("main");
    if (!main) return;
    const note = document.createElement("p");
    note.className = "flash error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    main.prepend(note);
  }

  async function move(board, ref, status) {
    const body = new FormData();
    body.set("csrf", token());
    body.set("status", status);
    const response = await fetch(`/orders/${encodeURIComponent(ref)}/status`, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRF-Token": token() },
      credentials: "same-origin",
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (e) {
      answer = null;
    }
    if (!response.ok || !answer || !answer.ok) {
      throw new Error((answer && answer.error) || board.dataset.moveFailed);
    }
    return answer;
  }

  function bump(board, zone, by) {
    // a column's count is its whole count (it shows only its first cards): moved by one, and
    // the phone's column picker says the same
    const count = zone && zone.querySelector("[data-count]");
    if (!count) return;
    count.textContent = String(Number(count.textContent || "0") + by);
    const shown = board.ownerDocument.querySelector(`[data-count-of="${zone.dataset.drop}"]`);
    if (shown) shown.textContent = count.textContent;
  }

  function place(board, card, status) {
    const zone = board.ownerDocument.querySelector(`[data-drop="${status}"]`);
    const from = card.closest("[data-drop]");
    const item = card.closest("li");
    card.dataset.status = status;
    const select = card.querySelector("select[name=status]");
    if (select) select.value = status;
    const list = zone && zone.querySelector(".cards");
    if (list) {
      list.prepend(item);
    } else {
      item.remove(); // a closed status: the card leaves the board
    }
    bump(board, from, -1);
    bump(board, zone, 1);
  }

  async function moveCard(board, card, status) {
    if (!card || card.dataset.status === status) return;
    const ref = card.dataset.ref;
    try {
      const answer = await move(board, ref, status);
      place(board, card, status);
      say(answer.message);
      const select = card.isConnected && card.querySelector("select[name=status]");
      if (select && document.activeElement === document.body) select.focus();
    } catch (error) {
      say(error.message);
      showError(error.message);
    }
  }

  function setUpBoard(board) {
    let dragged = null;
    board.ownerDocument.querySelectorAll(".card[draggable]").forEach((card) => {
      card.addEventListener("dragstart", (event) => {
        dragged = card;
        card.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.ref);
      });
      card.addEventListener("dragend", () => {
        card.classList.remove("dragging");
        dragged = null;
      });
      const form = card.querySelector("form.move");
      if (form) {
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const select = form.querySelector("select[name=status]");
          moveCard(board, card, select.value).then(() => {
            if (card.isConnected) select.focus();
          });
        });
      }
    });
    board.ownerDocument.querySelectorAll("[data-drop]").forEach((zone) => {
      zone.addEventListener("dragover", (event) => {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        zone.classList.add("over");
      });
      zone.addEventListener("dragleave", (event) => {
        if (!zone.contains(event.relatedTarget)) zone.classList.remove("over");
      });
      zone.addEventListener("drop", (event) => {
        event.preventDefault();
        zone.classList.remove("over");
        const card = dragged;
        dragged = null;
        if (card) moveCard(board, card, zone.dataset.drop);
      });
    });
  }

  function guardSends() {
    document.querySelectorAll("form[data-send]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sent) {
          event.preventDefault();
          return;
        }
        const button = event.submitter;
        if (button && !button.hasAttribute("formaction")) {
          form.dataset.sent = "1";
          button.textContent = button.dataset.busy || form.dataset.busy;
          // disabled after this event, so the button's own value still goes with the form
          setTimeout(() => { button.disabled = true; }, 0);
        }
      });
    });
  }

  // Enter in a field such as "send it later, at" presses its own button, not the form's first.
  function enterPresses() {
    document.querySelectorAll("input[data-enter]").forEach((input) => {
      input.addEventListener("keydown", (event) => {
        const button = document.getElementById(input.dataset.enter);
        if (event.key !== "Enter" || !button || !input.form) return;
        event.preventDefault();
        input.form.requestSubmit(button);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const board = document.querySelector("[data-board]");
    if (board) setUpBoard(board);
    guardSends();
    enterPresses();
  });
})();
