"""Channels of Aiguillage beyond Rasa's stock ones: socket.io web chat output, MSSanté mail."""
