// htmx as a global before its extensions load: ES modules run in import order, and the SSE extension
// registers itself on the global `htmx` when it is evaluated.
import htmx from 'htmx.org';

window.htmx = htmx;
export default htmx;
