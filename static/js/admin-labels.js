// The admin's search boxes (select2, Django's autocomplete_fields) named like the field they
// stand for: select2 leaves its combobox and its search input without an accessible name
// (axe-core). Rows added later ("Add another speaker") are named as they appear.
(function () {
    "use strict";

    function fieldName(select) {
        var own = select.getAttribute("aria-label");
        if (own) {
            return own;
        }
        var label = select.id && document.querySelector('label[for="' + select.id + '"]');
        return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
    }

    function nameSearchBoxes() {
        var selects = document.querySelectorAll("select.admin-autocomplete");
        selects.forEach(function (select) {
            var box = select.nextElementSibling;
            var name = fieldName(select);
            if (!box || !box.classList.contains("select2") || !name) {
                return;
            }
            box.querySelectorAll('[role="combobox"], .select2-selection__rendered, .select2-search__field').forEach(
                function (element) {
                    if (element.getAttribute("aria-label") !== name) {
                        element.setAttribute("aria-label", name);
                    }
                }
            );
        });
    }

    function start() {
        nameSearchBoxes();
        new MutationObserver(nameSearchBoxes).observe(document.body, {
            childList: true,
            subtree: true,
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
