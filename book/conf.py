"""Sphinx configuration of the course book (`make book`; sources staged by scripts/build_book.py).

Sphinx with myst-nb and the Jupyter Book theme (sphinx-book-theme): myst-nb renders each notebook's
stored outputs without executing it, the theme gives the book layout, launch buttons and the
search page, and sphinx-copybutton the copy buttons. Everything the pages need (scripts, fonts,
MathJax) is served from the site itself, so a copy of the folder works offline.
"""

import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
REPOSITORY = PYPROJECT["project"]["urls"]["Repository"]

project = "Long-Context Attention, from Scratch"
author = "the course's authors"
copyright = "2026, the course's authors"
# The licences, in every page's footer (the README's "Licence" section lists the third-party material).
LICENCE_FOOTER = (
    f'Code: <a href="{REPOSITORY}/blob/main/LICENSE">MIT License</a>. '
    "Text, notebooks' prose and figures: "
    '<a href="https://creativecommons.org/licenses/by/4.0/">Creative Commons Attribution 4.0 International '
    "(CC BY 4.0)</a>. "
    f'Third-party material keeps its own licence (<a href="{REPOSITORY}#licence">list</a>).'
)

extensions = ["myst_nb", "sphinx_copybutton"]
root_doc = "index"
# student/ holds the student editions as downloads (students.md links them), not as pages.
exclude_patterns = ["_build", "**.ipynb_checkpoints", "student"]

# The notebooks are committed with their outputs, and those outputs are the measured results: never re-run.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]  # $...$ and $$...$$ as in Jupyter
myst_heading_anchors = 3

# MathJax from the site itself (scripts/build_book.py copies it in); SVG output needs no web fonts.
mathjax_path = "mathjax/tex-svg-full.js"

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_js_files = ["local-folder.js"]  # search from a folder (file://) without the snippets it cannot fetch
html_title = project
# The reader's light or dark preference (left empty, the theme logs an error in the console).
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "path_to_docs": "",  # the staged sources mirror the repository: notebooks/NN_name.ipynb
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "extra_footer": LICENCE_FOOTER,
}
