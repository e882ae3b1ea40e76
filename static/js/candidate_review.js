// The candidate review page (admin). Selecting text in a candidate's context sets its span
// (Start, End) and where to split it, in the document's own character positions; choosing
// a claim found by search picks "Another known claim". Without JavaScript the positions are
// typed and the search is not offered.
"use strict";

(function () {
  // Positions are counted in code points, as the server counts them, not UTF-16 units.
  function length(text) {
    return Array.from(text).length;
  }

  function positionIn(context, node, offset) {
    const before = document.createRange();
    before.selectNodeContents(context);
    before.setEnd(node, offset);
    return Number(context.dataset.start) + length(before.toString());
  }

  function selectedSpan() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const context = range.commonAncestorContainer.nodeType === Node.ELEMENT_NODE
      ? range.commonAncestorContainer.closest(".candidate-context")
      : range.commonAncestorContainer.parentElement.closest(".candidate-context");
    if (!context) return null;
    const text = range.toString();
    const start = positionIn(context, range.startContainer, range.startOffset)
      + length(text) - length(text.trimStart());
    const end = positionIn(context, range.endContainer, range.endOffset)
      - (length(text) - length(text.trimEnd()));
    return end > start ? { context: context, start: start, end: end } : null;
  }

  function fillSpan() {
    const span = selectedSpan();
    if (!span) return;
    const form = span.context.closest(".candidate").querySelector("form");
    if (!form) return;
    form.elements.start.value = span.start;
    form.elements.end.value = span.end;
    // A split falls where the selection ends, or where it begins if it runs to the end.
    const split = form.elements.split_at;
    const inside = function (at) { return at >= Number(split.min) && at <= Number(split.max); };
    if (inside(span.end)) split.value = span.end;
    else if (inside(span.start)) split.value = span.start;
  }

  function pickAnotherClaimWhenChosen() {
    if (!(window.django && window.django.jQuery)) return;
    window.django.jQuery("select[name=another]").on("change", function () {
      const choice = this.closest("li").querySelector("input[type=radio][value=another]");
      if (choice && this.value) choice.checked = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".candidate-context").forEach(function (context) {
      context.addEventListener("mouseup", fillSpan);
      context.addEventListener("keyup", fillSpan);
    });
    pickAnotherClaimWhenChosen();
  });
})();
