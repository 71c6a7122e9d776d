"""What accounts tell other features, so accounts imports none of them.

`exporting` is sent with the user's id when they download their data: each receiver returns
`(section_name, json-able value)`, and the download has a section per receiver.
`deleting` is sent with the user's id before the user row goes: each receiver deletes or anonymises that user's rows
in the current transaction (no commit); accounts commits once after every receiver has run."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

exporting = _signals.signal("accounts.exporting")
deleting = _signals.signal("accounts.deleting")
