"""Live pushes: the websocket route (route.py), this process's hub of sockets (hub.py), the broadcaster joining
processes (broadcast.py), topics and the service features publish through (service.py)."""
