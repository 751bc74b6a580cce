"""Monthly tests: a question bank per topic, tests assembled from it, taken in the browser and
marked automatically (models, marking, access, services, selectors, api, views, urls)."""
