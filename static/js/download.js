// A large session's workbook takes seconds to make (a conference's: several): a link with
// data-busy says so beside it while the file is made, and saves the file when it arrives.
// Clicking again meanwhile starts no second export. Without JavaScript, or when the answer is
// not a file (the login expired: the login page), the link is followed as any link.
(function () {
  "use strict";
  if (!window.fetch || !window.URL || !URL.createObjectURL) return;

  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=utf-8''([^;]+)/i.exec(header);
    if (encoded) return decodeURIComponent(encoded[1]);
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function say(status, state, text) {
    if (!status) return;
    status.dataset.state = state;
    status.textContent = text || "";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-busy]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return; // one export at a time
    var status = document.getElementById(link.dataset.status);
    link.setAttribute("aria-busy", "true");
    say(status, "busy", link.dataset.busy);
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        var disposition = response.headers.get("Content-Disposition") || "";
        if (!response.ok) throw new Error("HTTP " + response.status);
        if (disposition.indexOf("attachment") !== 0) {
          say(status, "", "");
          window.location.href = link.href; // not the file: let the page say why
          return null;
        }
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var save = document.createElement("a");
          save.href = url;
          save.download = filename(response, "");
          save.hidden = true;
          document.body.appendChild(save);
          save.click();
          save.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          say(status, "done", link.dataset.done);
        });
      })
      .catch(function () {
        say(status, "failed", link.dataset.failed);
      })
      .then(function () {
        link.removeAttribute("aria-busy");
      });
  });
})();
