"""What the data apps announce after a commit, for the realtime layer to pass on.

The apps that change a session (sessions, survey, notes) sit beneath the live app and do not
import it: they send these signals from `transaction.on_commit`, and `live` connects its
broadcasters to them at start-up (`LiveConfig.ready`). With nothing connected (a script
without the live app) a change is stored and simply not announced.

Every signal is sent with `sender=Workshop` and the keyword `workshop_id`.
"""

from django.dispatch import Signal

# The session's results changed (an answer, a join, a phase or projector change).
results_changed = Signal()
# The phones' view changed: keywords `phase` (str) and `revealed` (bool).
phone_state_changed = Signal()
# The session's notes or observations changed.
notes_changed = Signal()
# Who sits at some tables changed (a join, a seating, a move, a table's focus): keyword
# `table_ids` (list of int). The chairs' tablets of those tables fetch their rows again.
seating_changed = Signal()
# The organiser reminds the phones that have not finished: keyword `participant_ids` (list of
# int). Those phones show a reminder.
phones_nudged = Signal()
