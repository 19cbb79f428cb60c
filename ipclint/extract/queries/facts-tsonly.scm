; TS only (TSX has no `<T>x` assertions: that is JSX there).
(type_assertion) @cast
