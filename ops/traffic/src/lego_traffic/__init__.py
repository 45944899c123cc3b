"""lego-traffic: blue/green cutover over Route53 weights (seed 001 "Blue/Green Deployment Plan")."""
