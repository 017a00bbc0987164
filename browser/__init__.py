"""The browser side of the calculators: the page's and the worker's modules and styles (``*.mjs``,
``*.css``), and the build step that packs them with the Python engine into a site (``pack``)."""
