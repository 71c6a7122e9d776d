"""The web layer every feature shares: htmx helpers, URLs, the viewer's preferences, assets, security
headers, error pages and the site-wide routes."""
