"""The Streamlit layer: the only Streamlit code below the pages.

Pages read settings, call ``chatcore`` and render what it returns; reruns, yield points,
session state and widget keys are handled here and nowhere else.
"""
