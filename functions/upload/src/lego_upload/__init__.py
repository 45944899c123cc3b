"""MOC file uploads and parts-list CSV hand-off."""
