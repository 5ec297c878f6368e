/* The DeepSeek Cost Book: a glued number explains itself where it stands.

   Every glued number links to its entry on the "Every number" page (analysis/pipeline/sphinx_glue_links.py). That
   extension also writes, into each page, the entries of the numbers the page links to (JSON, #number-entries). A tap
   on a number opens a small popover with its value, what it is (its key in results.json and the chapter that
   computes it), the inputs that move it most and their sources, and a link to the full entry. A second tap on the
   same number, a modified click (new tab) or a page without the entries follows the link as before. Offline. */
function costBookNumberPopovers() {
  "use strict";
  var data = document.getElementById("number-entries");
  if (!data) { return; }
  var entries = JSON.parse(data.textContent);
  var popover = null, opener = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function close(refocus) {
    if (!popover) { return; }
    popover.remove();
    popover = null;
    if (refocus && opener) { opener.focus(); }
    opener = null;
  }
  function place(box, link) {
    var r = link.getBoundingClientRect();
    var width = Math.min(352, document.documentElement.clientWidth - 16);
    box.style.width = width + "px";
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    box.style.left = left + "px";
    box.style.top = (r.bottom + window.scrollY + 6) + "px";
  }
  function open(link, anchor) {
    var entry = entries[anchor];
    close(false);
    var box = element("div", "number-popover");
    box.id = "number-popover";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "About this number");
    box.tabIndex = -1;
    var shut = element("button", "number-popover-close", "×");
    shut.type = "button";
    shut.setAttribute("aria-label", "Close");
    shut.addEventListener("click", function () { close(true); });
    box.appendChild(shut);
    box.appendChild(element("p", "number-popover-value", entry.value));
    var what = element("p", "number-popover-what");
    what.appendChild(document.createTextNode("What it is: "));
    what.appendChild(element("code", "", entry.key));
    what.appendChild(document.createTextNode(" in results.json" + (entry.chapter ? ", computed in “" + entry.chapter + "”." : ".")));
    box.appendChild(what);
    if (entry.inputs.length) {
      box.appendChild(element("p", "number-popover-heading", "The inputs that move it most (effect of a 1% change; source):"));
      var list = element("ul", "number-popover-inputs");
      entry.inputs.forEach(function (input) {
        var item = element("li");
        item.appendChild(element("code", "", input[0]));
        item.appendChild(document.createTextNode(" " + input[1].replace(/^elasticity /, "") + "; " + input[2]));
        list.appendChild(item);
      });
      box.appendChild(list);
      if (entry.more) { box.appendChild(element("p", "number-popover-more", "…and " + entry.more + " more.")); }
    } else {
      box.appendChild(element("p", "number-popover-heading", "No parameter moves it: a published figure, a model config or a constant of the data."));
    }
    var full = element("a", "number-popover-link", "Full entry on “Every number” →");
    full.href = link.href;
    box.appendChild(full);
    document.body.appendChild(box);
    place(box, link);
    popover = box;
    opener = link;
    box.focus({preventScroll: true});
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href*="#num-"]') : null;
    if (popover && !popover.contains(event.target) && link !== opener) { close(false); }
    if (!link || (popover && popover.contains(link))) { return; }
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var anchor = link.getAttribute("href").split("#")[1];
    if (!Object.prototype.hasOwnProperty.call(entries, anchor) || link === opener) { return; }  // follow the link
    event.preventDefault();
    open(link, anchor);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popover) { close(true); }
  });
  window.addEventListener("resize", function () { if (popover && opener) { place(popover, opener); } });
}
if (document.readyState === "loading") {  // the theme loads this in <head>: wait for the page's entries
  document.addEventListener("DOMContentLoaded", costBookNumberPopovers);
} else {
  costBookNumberPopovers();
}
