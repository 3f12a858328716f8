"""The web judge's client side (`judgekit submit`): where the token comes from, and the HTTP
calls of the JSON API. It speaks HTTP only and never imports the server (judgekit.web)."""
