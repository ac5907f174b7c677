// The load harness's peer: a socket.io 4.8 relay doing Tandem's pairing at its simplest. A
// visitor and an adviser join the room of their conversation ("join"), and every "msg" goes to
// the room's other member. No storage, no queue, no checks: what one would start from when
// building this product on socket.io.
//
// Usage: node tests/load/socketio-relay.js PORT   (socket.io from tools/node_modules)
"use strict";
const path = require("path");
const { createServer } = require("http");
const { Server } = require(path.join(__dirname, "../../tools/node_modules/socket.io"));

const port = Number(process.argv[2] || 0);
const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 2e6,
});

io.on("connection", (socket) => {
  socket.on("join", (room) => {
    socket.join(room);
    socket.data.room = room;
    socket.emit("joined", room);
  });
  socket.on("msg", (body) => {
    if (socket.data.room) socket.to(socket.data.room).emit("msg", body);
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`socket.io relay listening on ${httpServer.address().port}`);
});
