"""Web chat for on-call doctors: static page over Rasa's socket.io channel."""
