// The portfolio's share settings (/portfolios/{id}/share): the copy button.
import { wireCopyButtons } from './copy-link.js';

wireCopyButtons();
