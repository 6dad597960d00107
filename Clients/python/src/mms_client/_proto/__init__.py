"""Messages generated from Protos/ by Clients/python/generate. Do not edit."""
