"""Gallery images and albums."""
