// Reads SGF files as Sabaki opens them, with its own parser (@sabaki/sgf's parseFile: encoding
// detection, then the tokenizer and parser), and prints each file's game trees as JSON: for every
// root node, its properties and those of the main line (the first child all the way down).
//
// Usage: node sabaki_sgf.js FILE...
// Prints one JSON object on stdout: {FILE: [{root: {...}, line: [{...}, ...]}, ...], ...}.

'use strict'

const sgf = require('@sabaki/sgf')

const mainLine = node => {
  const line = []
  while (node.children.length > 0) {
    node = node.children[0]
    line.push(node.data)
  }
  return line
}

const out = {}
for (const file of process.argv.slice(2)) {
  out[file] = sgf.parseFile(file).map(root => ({
    root: root.data,
    line: mainLine(root),
    moves: mainLine(root)
      .filter(data => data.B != null || data.W != null)
      .map(data => (data.B != null ? ['B', sgf.parseVertex(data.B[0])] : ['W', sgf.parseVertex(data.W[0])]))
  }))
}
process.stdout.write(JSON.stringify(out) + '\n')
