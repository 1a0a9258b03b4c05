// Opened from a folder (file://), the browser refuses the page fetches that build the search results'
// text snippets (pages are not allowed to read other files): list the results without snippets there.
if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
