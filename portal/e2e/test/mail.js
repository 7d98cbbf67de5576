// A test SMTP server (nodemailer's smtp-server) on a free loopback port: the portal's mail
// arrives here and the test reads it as the person would read their mailbox.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

/** Plain SMTP (no STARTTLS, no AUTH), as a local relay; answers its URL and what it received. */
export async function startSmtpServer() {
  const received = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
        callback();
      }, callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Every message accepted so far: envelope recipients and the parsed message. */
    received,
    /** The `index`-th message, waiting up to 10 s for it to arrive. */
    async message(index) {
      for (let i = 0; i < 200 && received.length <= index; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (received.length <= index) throw new Error(`the SMTP server got ${received.length} messages, not ${index + 1}`);
      return received[index];
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
