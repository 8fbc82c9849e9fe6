// A phone follows the session's phase without reload: the server says when the phase (or the
// reveal) changes, and the page that fits it is loaded. Reconnects back off to at most 3 s.
(function () {
  "use strict";
  var body = document.body;
  var path = body.dataset.followWs;
  if (!path) return;
  var phase = body.dataset.phase;
  var revealed = body.dataset.revealed === "true";

  function changed(state) {
    if (state.phase !== phase) return true;
    // The reveal matters once the survey is over.
    return state.revealed !== revealed && phase !== "join" && phase !== "survey";
  }

  ScentissLive.connect({
    path: path,
    maxDelay: 3000,
    onMessage: function (state) {
      if (changed(state)) {
        window.scentissFollowing = true;
        location.reload();
      }
    },
  });
})();
