#!/usr/bin/env python3
"""A consumer and publisher of OpsBot events outside .NET, with pika (Debian: python3-pika).

  opsbot_events.py consume URL QUEUE SCHEMA_DIR EXCHANGE [EXCHANGE ...] [--count N] [--timeout S]
      Declares a durable queue of its own, binds it to each exchange (fanout, durable, as MassTransit
      declares them), and prints one JSON line per message: the exchange, the envelope's messageType,
      whether the message validates against the committed schema of its URN, and the message.
      Prints "ready" once bound. Stops after N messages or S seconds.
  opsbot_events.py publish-kill-switch URL SCOPE ENGAGED
      Publishes a KillSwitchChanged (version 1) in MassTransit's JSON envelope.
"""
import argparse
import datetime
import json
import os
import sys
import time
import uuid

import jsonschema
import pika

CONTENT_TYPE = "application/vnd.masstransit+json"


def connect(url):
    return pika.BlockingConnection(pika.URLParameters(url))


def load_schemas(directory):
    schemas = {}
    for name in os.listdir(directory):
        if name.endswith(".schema.json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            schemas[schema["$id"]] = schema
    return schemas


def validate(schemas, message_types, message):
    for urn in message_types:
        schema = schemas.get(urn)
        if schema is None:
            continue
        errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(message), key=str)
        return urn, [e.message for e in errors]
    return None, ["no committed schema for " + ", ".join(message_types)]


def consume(url, queue, schema_dir, exchanges, count, timeout):
    schemas = load_schemas(schema_dir)
    connection = connect(url)
    channel = connection.channel()
    channel.queue_declare(queue=queue, durable=True)
    for exchange in exchanges:
        channel.exchange_declare(exchange=exchange, exchange_type="fanout", durable=True)
        channel.queue_bind(queue=queue, exchange=exchange)
    print("ready", flush=True)
    received = 0
    deadline = time.monotonic() + timeout
    for method, properties, body in channel.consume(queue, inactivity_timeout=0.5):
        if time.monotonic() > deadline:
            break
        if method is None:
            continue
        envelope = json.loads(body)
        message = envelope.get("message", {})
        urn, errors = validate(schemas, envelope.get("messageType", []), message)
        print(json.dumps({
            "exchange": method.exchange,
            "contentType": properties.content_type,
            "messageType": envelope.get("messageType"),
            "schema": urn,
            "valid": not errors,
            "errors": errors,
            "message": message,
        }), flush=True)
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received >= count:
            break
    channel.cancel()
    connection.close()


def publish_kill_switch(url, scope, engaged):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    correlation_id = str(uuid.uuid4())
    envelope = {
        "messageId": str(uuid.uuid4()),
        "correlationId": correlation_id,
        "messageType": ["urn:message:opsbot.kill-switch-changed.v1"],
        "message": {
            "correlationId": correlation_id,
            "timestamp": now,
            "engaged": engaged,
            "scope": scope,
            "source": "python-trading-system",
        },
        "sentTime": now,
        "headers": {},
    }
    connection = connect(url)
    channel = connection.channel()
    channel.exchange_declare(exchange="opsbot.kill-switch-changed.v1", exchange_type="fanout", durable=True)
    channel.confirm_delivery()
    channel.basic_publish(
        exchange="opsbot.kill-switch-changed.v1",
        routing_key="",
        body=json.dumps(envelope).encode("utf-8"),
        properties=pika.BasicProperties(content_type=CONTENT_TYPE, delivery_mode=2, message_id=envelope["messageId"]),
    )
    connection.close()
    print(json.dumps({"published": "KillSwitchChanged", "correlationId": correlation_id}), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description="OpsBot events outside .NET")
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("consume")
    c.add_argument("url")
    c.add_argument("queue")
    c.add_argument("schema_dir")
    c.add_argument("exchanges", nargs="+")
    c.add_argument("--count", type=int, default=1_000_000)
    c.add_argument("--timeout", type=float, default=60.0)
    p = commands.add_parser("publish-kill-switch")
    p.add_argument("url")
    p.add_argument("scope")
    p.add_argument("engaged", choices=["true", "false"])
    args = parser.parse_args(argv[1:])
    if args.command == "consume":
        consume(args.url, args.queue, args.schema_dir, args.exchanges, args.count, args.timeout)
    else:
        publish_kill_switch(args.url, args.scope, args.engaged == "true")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
