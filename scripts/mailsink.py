"""A local SMTP server for `make run`: writes every message it receives to a folder.

Nothing is delivered anywhere. Usage: python scripts/mailsink.py --port 8025 --dir var/mail
"""
import argparse
import datetime
import os
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = os.path.join(self.folder, f"{stamp}.eml")
        with open(path, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        print(f"mail to {', '.join(envelope.rcpt_tos)} -> {path}", flush=True)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"mail sink on 127.0.0.1:{args.port}, writing to {args.dir}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
