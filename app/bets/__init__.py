"""The bet tracker: bets recorded from a price or by hand, settled when final, measured against the close."""
