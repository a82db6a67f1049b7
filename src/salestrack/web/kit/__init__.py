"""What every page shares: rendering, the session cookie, who is logged in, forms, list
paging, pick-lists, navigation, charts, locale formatting and the HTML error pages."""
