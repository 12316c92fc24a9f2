// Ballot receipts, kept in this browser only (localStorage): stored when the receipt page
// shows one, filled into the receipt fields of that poll's page. Without JavaScript the member
// copies the receipt and types it in.
(function () {
  "use strict";
  var store;
  try {
    store = window.localStorage;
  } catch (e) {
    return;
  }
  if (!store) return;
  function key(poll) {
    return "potluck-receipt-" + poll;
  }
  var shown = document.querySelector("[data-receipt-poll]");
  if (shown) {
    try {
      store.setItem(key(shown.getAttribute("data-receipt-poll")), shown.textContent.trim());
    } catch (e) {
      // Storage full or refused: the member still has the page, and the email button.
    }
  }
  var fields = document.querySelectorAll("input[data-receipt-for]");
  Array.prototype.forEach.call(fields, function (field) {
    var kept = store.getItem(key(field.getAttribute("data-receipt-for")));
    if (kept && !field.value) field.value = kept;
  });
})();
