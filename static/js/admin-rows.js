// "Move up" and "Move down" on the event form's rows (speakers, program, breakouts): the row
// moves on the page, and every row in use takes its position (1, 2, 3…) in its hidden order
// input, saved with the form. Saved rows move among saved rows and new rows among new rows:
// Django's formset numbers the saved ones first (templates/admin/events/event/tabular.html).
(function () {
    "use strict";

    function isRow(element) {
        return element && element.classList.contains("form-row") &&
            !element.classList.contains("empty-form");
    }

    function saved(row) {
        return row.classList.contains("has_original");
    }

    function inUse(row) {
        if (saved(row)) {
            return true;
        }
        return Array.prototype.some.call(row.querySelectorAll("input, select"), function (el) {
            if (el.type === "hidden" || el.type === "checkbox") {
                return false;
            }
            if (el.tagName === "SELECT") {
                return Array.prototype.some.call(el.options, function (option) {
                    return option.selected !== option.defaultSelected;
                });
            }
            return el.value !== el.defaultValue;
        });
    }

    function neighbour(row, step) {
        var other = step < 0 ? row.previousElementSibling : row.nextElementSibling;
        while (other && !other.classList.contains("form-row")) {
            other = step < 0 ? other.previousElementSibling : other.nextElementSibling;
        }
        return isRow(other) && saved(other) === saved(row) ? other : null;
    }

    function renumber(tbody) {
        var position = 0;
        Array.prototype.forEach.call(tbody.children, function (row) {
            var order = isRow(row) && row.querySelector('input[type="hidden"][name$="-order"]');
            if (order && inUse(row)) {
                position += 1;
                order.value = String(position);
            }
        });
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest(".potluck-move button");
        if (!button) {
            return;
        }
        var row = button.closest("tr");
        var up = button.getAttribute("data-move") === "up";
        var other = neighbour(row, up ? -1 : 1);
        if (!other) {
            return;
        }
        row.parentNode.insertBefore(up ? row : other, up ? other : row);
        renumber(row.parentNode);
        button.focus();
    });

    document.documentElement.classList.add("potluck-rows-move");
})();
