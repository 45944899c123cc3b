"""lego-traffic: blue/green cutover over Route53 weighted records (seed 001 "Blue/Green Deployment Plan")."""
