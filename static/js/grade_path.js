// The review form (admin): the GRADE path beside the form follows the judgments as they are
// chosen, computed by the server (the same rule the save applies). Without JavaScript the
// path is the one of the judgments last saved or sent.
"use strict";

(function () {
  const FIELDS = /^(evidence_design|design_reason|risk_of_bias|inconsistency|indirectness|imprecision|publication_bias|large_effect|dose_response|opposing_confounding|upgrade_reason)(_reason)?$/;

  document.addEventListener("DOMContentLoaded", function () {
    const path = document.getElementById("grade-path");
    const form = document.getElementById("review_form");
    if (!path || !form) return;
    let asked = 0;

    function refresh() {
      const query = new URLSearchParams();
      for (const field of form.elements) {
        if (!FIELDS.test(field.name)) continue;
        if (field.type === "checkbox") {
          if (field.checked) query.append(field.name, "on");
        } else {
          query.append(field.name, field.value);
        }
      }
      const mine = ++asked;
      fetch(path.dataset.url + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null && mine === asked) path.innerHTML = html;
        })
        .catch(function () { /* the path shown stays; the save computes it anyway */ });
    }

    let typing = null;
    form.addEventListener("change", function (event) {
      if (FIELDS.test(event.target.name)) refresh();
    });
    form.addEventListener("input", function (event) {  // a reason being typed
      if (!FIELDS.test(event.target.name)) return;
      clearTimeout(typing);
      typing = setTimeout(refresh, 400);
    });
  });
})();
