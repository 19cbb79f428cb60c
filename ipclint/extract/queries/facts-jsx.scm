; JS and TSX only: <webview> attributes.
(jsx_self_closing_element) @jsx
(jsx_opening_element) @jsx
