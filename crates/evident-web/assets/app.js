// Evident: progressive enhancement only. Every page works without this script.
// - Citation markers show their supporting passage in a tooltip on hover and focus.
// - Forms marked .js-autosubmit submit when their select changes (the audience selector).
(function () {
  "use strict";

  var tooltip = null;
  var owner = null;
  var hideTimer = null;

  function cancelHide() {
    if (hideTimer) {
      window.clearTimeout(hideTimer);
      hideTimer = null;
    }
  }

  // Leaving the marker hides the tooltip after a moment, so that the pointer can move onto
  // the tooltip (to read or select it) without it vanishing.
  function hideSoon() {
    cancelHide();
    hideTimer = window.setTimeout(hide, 250);
  }

  function ensureTooltip() {
    if (tooltip) return tooltip;
    tooltip = document.createElement("div");
    tooltip.className = "cite-tooltip";
    tooltip.id = "cite-tooltip";
    tooltip.setAttribute("role", "tooltip");
    tooltip.hidden = true;
    tooltip.addEventListener("mouseenter", cancelHide);
    tooltip.addEventListener("mouseleave", hideSoon);
    document.body.appendChild(tooltip);
    return tooltip;
  }

  function show(link) {
    var text = link.getAttribute("data-passage");
    if (!text) return;
    cancelHide();
    var tip = ensureTooltip();
    tip.textContent = text; // text, never HTML
    tip.hidden = false;
    owner = link;
    link.setAttribute("aria-describedby", tip.id);
    var rect = link.getBoundingClientRect();
    var top = window.scrollY + rect.bottom + 6;
    var left = window.scrollX + rect.left;
    var maxLeft = window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8;
    tip.style.top = top + "px";
    tip.style.left = Math.max(window.scrollX + 8, Math.min(left, maxLeft)) + "px";
  }

  function hide() {
    cancelHide();
    if (!tooltip) return;
    tooltip.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function enhanceCitations() {
    var links = document.querySelectorAll("a.cite[data-passage]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      // The script's tooltip replaces the browser's: keep one of them.
      link.removeAttribute("title");
      link.addEventListener("mouseenter", function (e) { show(e.currentTarget); });
      link.addEventListener("focus", function (e) { show(e.currentTarget); });
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("blur", hide);
    }
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") hide();
    });
    window.addEventListener("resize", hide);
  }

  function enhanceAutosubmit() {
    var forms = document.querySelectorAll("form.js-autosubmit");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var selects = form.querySelectorAll("select");
        for (var j = 0; j < selects.length; j++) {
          selects[j].addEventListener("change", function () {
            if (typeof form.requestSubmit === "function") form.requestSubmit();
            else form.submit();
          });
        }
      })(forms[i]);
    }
  }

  function init() {
    enhanceCitations();
    enhanceAutosubmit();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
