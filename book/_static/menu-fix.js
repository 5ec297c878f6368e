/* The DeepSeek Cost Book: make the visible sidebar buttons work (phone menu, "On this page").

   Upstream incompatibility (pydata-sphinx-theme issue 2451, sphinx-book-theme issue 988): since
   pydata-sphinx-theme 0.17.0 the theme attaches its open-the-drawer handler to the FIRST `.primary-toggle`
   (and `.secondary-toggle`) of the page, found with document.querySelector. With sphinx-book-theme 1.3 that is
   pydata's own header button, which the book theme hides; the button a reader sees is the book theme's, the
   second one, and it has no handler below 992 px: on a phone the menu never opens.

   The fix: a tap on any later toggle is forwarded to the first one, which carries both themes' handlers
   (pydata's drawer on a phone, the book theme's collapse on a desktop). It only forwards when the tap changed
   nothing by itself, so a theme release that fixes the bug upstream makes this script a no-op, not a double
   toggle. tests/test_phone.py taps the visible button at 400 px and expects the chapters. */
(function () {
  "use strict";
  function state(kind) {
    var modal = document.getElementById("pst-" + kind + "-sidebar-modal");
    var sidebar = document.getElementById("pst-" + kind + "-sidebar");
    return [modal && modal.open, sidebar && sidebar.classList.contains("pst-sidebar-hidden"),
            sidebar && sidebar.parentElement === modal].join();
  }
  function forward(kind) {
    var toggles = document.querySelectorAll("." + kind + "-toggle");
    if (toggles.length < 2) { return; }
    var first = toggles[0];
    Array.prototype.slice.call(toggles, 1).forEach(function (button) {
      button.addEventListener("click", function () {
        var before = state(kind);
        window.setTimeout(function () {  // after every handler of this tap has run
          if (state(kind) === before) {
            first.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
          }
        }, 0);
      });
    });
  }
  function init() { forward("primary"); forward("secondary"); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
