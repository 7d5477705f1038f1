"""What the window shows in its main area: the dashboard of cards, a batch's page and vouchers, the channels."""
