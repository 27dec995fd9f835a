// A Sabaki-style session with a GTP engine, through Sabaki's own engine library (@sabaki/gtp):
// the ControllerStateTracker syncs komi, board size and moves as Sabaki's engine syncer does
// (pipelined plays, `undo` to go back a move, `clear_board` and a replay where undo cannot do),
// then live analysis that the next command interrupts, then a genmove_analyze whose move the
// library itself reads off the streamed `play` line.
//
// Usage: node sabaki_session.js SIZE ENGINE [ARGS...]
// Prints one JSON object on stdout: every command sent and response received (in order),
// what the tracker believes the engine's state is after each step, the analysis lines and
// the genmove_analyze lines as the subscriber saw them. The Python test judges them.

'use strict'

const {Controller, ControllerStateTracker} = require('@sabaki/gtp')

const ANALYSIS_LINES = 3 // info lines to wait for before interrupting, as a user clicking on would

async function main() {
  const [sizeText, path, ...args] = process.argv.slice(2)
  const size = +sizeText
  const controller = new Controller(path, args)
  const tracker = new ControllerStateTracker(controller)
  const transcript = []
  const stderr = []
  controller.on('command-sent', ({command}) => transcript.push({sent: command}))
  controller.on('response-received', ({command, response}) =>
    transcript.push({name: command.name, error: response.error, content: response.content})
  )
  controller.on('stderr', ({content}) => stderr.push(content))
  controller.start()

  const out = {stderr, transcript, states: {}, stones: {}}
  // What the tracker believes, and what the engine says is on its board.
  const snapshot = async key => {
    out.states[key] = JSON.parse(JSON.stringify(tracker.state))
    out.stones[key] = {}
    for (const color of ['black', 'white']) {
      const response = await tracker.queueCommand({name: 'list_stones', args: [color]})
      out.stones[key][color] = response.content.split(/\s+/).filter(vertex => vertex !== '')
    }
  }
  const play = (color, vertex) => ({name: 'play', args: [color, vertex]})

  out.knows = {}
  for (const name of ['kata-analyze', 'kata-genmove_analyze', 'genmove_analyze', 'undo']) {
    out.knows[name] = await tracker.knowsCommand(name)
  }

  // Opening a game: Sabaki syncs the whole state at once.
  const opening = [play('B', 'C3'), play('W', 'B2'), play('B', 'D4')]
  await tracker.sync({komi: 6.5, boardsize: [size, size], history: opening})
  await snapshot('opened')

  // Stepping back one move and playing another there: one undo and one play.
  await tracker.sync({history: [...opening.slice(0, 2), play('B', 'B4')]})
  await snapshot('branched')

  // Jumping to an unrelated position: clear_board and a replay.
  await tracker.sync({history: [play('B', 'B3')]})
  await snapshot('jumped')

  // Live analysis, as Sabaki starts it for the player to move; the next command ends it.
  out.analysis = await new Promise((resolve, reject) => {
    const lines = []
    let stopping = null
    const analysis = controller.sendCommand({name: 'kata-analyze', args: ['W', '5']}, ({line}) => {
      if (line.startsWith('info')) lines.push(line)
      if (lines.length >= ANALYSIS_LINES && stopping == null) {
        stopping = controller.sendCommand({name: 'name'})
      }
    })
    analysis
      .then(response => Promise.all([response, stopping]))
      .then(([response, name]) => resolve({lines, response, name}))
      .catch(reject)
  })
  await snapshot('analysed')

  // The engine's move with its analysis streamed, as Sabaki asks for it while analysing.
  const genmoveName = out.knows['kata-genmove_analyze'] ? 'kata-genmove_analyze' : 'genmove_analyze'
  const streamed = []
  const genmove = await tracker.queueCommand({name: genmoveName, args: ['W', '5']}, ({line}) => streamed.push(line))
  await tracker.queueCommand({name: 'name'}) // the tracker records the move once the response has ended
  out.genmove = {name: genmoveName, lines: streamed, error: genmove.error}
  await snapshot('moved')

  await controller.stop()
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch(err => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
