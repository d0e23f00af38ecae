"""
An S3-compatible server for the real-engine tests: moto's, on a loopback address and port given as
arguments. It creates one IAM user with an S3 policy and one bucket, prints their credentials as a
JSON line, and from then on checks every request's signature (moto does once INITIAL_NO_AUTH_ACTION_COUNT
setup actions have run). Then it answers commands on stdin, one JSON line each, for the test to
look into the bucket without trusting the runner's client:

  list <prefix>   {"keys": {"<key>": <size>, ...}}
  sha256 <key>    {"sha256": "<hex>"}

It stops when stdin closes. With three more arguments, a TLS port, a certificate and its key, the
same server (one process, so one bucket) also answers https on that port.
"""
import hashlib
import json
import os
import ssl
import sys
import threading

SETUP_ACTIONS = 4  # create user, create its key, attach its policy, create the bucket
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_ACTIONS)

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

host, port, bucket = sys.argv[1], int(sys.argv[2]), sys.argv[3]
server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
server.start()
if len(sys.argv) > 4:
    tls_port, cert, key_file = int(sys.argv[4]), sys.argv[5], sys.argv[6]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key_file)
    app = DomainDispatcherApplication(create_backend_app)
    tls = make_server(host, tls_port, app, threaded=True, ssl_context=context)
    threading.Thread(target=tls.serve_forever, daemon=True).start()
setup = dict(
    endpoint_url=f"http://{host}:{port}",
    region_name="us-east-1",
    aws_access_key_id="setup",
    aws_secret_access_key="setup",
)
iam = boto3.client("iam", **setup)
iam.create_user(UserName="backup-runner")
key = iam.create_access_key(UserName="backup-runner")["AccessKey"]
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_user_policy(UserName="backup-runner", PolicyName="s3", PolicyDocument=json.dumps(policy))
boto3.client("s3", **setup).create_bucket(Bucket=bucket)
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}), flush=True)

s3 = boto3.client(
    "s3",
    endpoint_url=setup["endpoint_url"],
    region_name="us-east-1",
    aws_access_key_id=key["AccessKeyId"],
    aws_secret_access_key=key["SecretAccessKey"],
)
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    try:
        if command == "list":
            # Filtered here: moto 5.1 miscomputes the signature of a listing whose prefix has a "/".
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            objects = [o for page in pages for o in page.get("Contents", [])]
            keys = {o["Key"]: o["Size"] for o in objects if o["Key"].startswith(argument)}
            print(json.dumps({"keys": keys}), flush=True)
        elif command == "sha256":
            body = s3.get_object(Bucket=bucket, Key=argument)["Body"].read()
            print(json.dumps({"sha256": hashlib.sha256(body).hexdigest()}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {command}"}), flush=True)
    except Exception as e:  # the test reads the error and fails with it
        print(json.dumps({"error": str(e)}), flush=True)
server.stop()
