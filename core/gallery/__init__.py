"""The gallery: building the committed recipes into pictures, walks and a static page."""
