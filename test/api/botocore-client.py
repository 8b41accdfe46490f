"""Signs and sends requests with botocore, the signer of the AWS CLI and boto3 (Debian's awscli bundles it).

Input (stdin, JSON): {"endpoint", "accessKeyId", "secretAccessKey", "region",
  "raw": [{"name", "service", "method", "path", "pathParams"?, "query"?, "body"?, "headers"?,
           "tamperBody"?}],
  "client": bool}
Output (stdout, JSON): {"raw": [{"name", "status", "errorType", "body"}], "client": {...}}

Raw requests are signed with botocore.auth.SigV4Auth exactly as botocore signs any request; path
parameters are encoded with botocore's own percent_encode, as its REST serializer does. With
"client", the same operations go through botocore clients (what boto3 and the AWS CLI use).
"""
import json
import sys
import urllib.error
import urllib.request

import awscli  # noqa: F401  (Debian's awscli makes its bundled botocore importable as `botocore`)
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence


def send_raw(spec, creds, endpoint, region):
    path = spec["path"]
    for key, value in spec.get("pathParams", {}).items():
        path = path.replace("{" + key + "}", percent_encode(value))
    url = endpoint + path
    if spec.get("query"):
        url += "?" + percent_encode_sequence(spec["query"])
    body = spec.get("body")
    data = body.encode("utf-8") if body is not None else None
    headers = dict(spec.get("headers", {}))
    request = AWSRequest(method=spec["method"], url=url, data=data, headers=headers)
    SigV4Auth(creds, spec["service"], region).add_auth(request)
    prepared = request.prepare()
    if spec.get("tamperBody") is not None:
        data = spec["tamperBody"].encode("utf-8")
    sent = urllib.request.Request(url, data=data, method=spec["method"], headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            status, error_type, text = response.status, None, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        status, error_type, text = e.code, e.headers.get("x-amzn-ErrorType"), e.read().decode("utf-8")
    signed_headers = prepared.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    return {"name": spec["name"], "status": status, "errorType": error_type, "body": text,
            "signedHeaders": signed_headers, "url": url}


def run_clients(endpoint, args):
    session = botocore.session.get_session()
    kw = dict(endpoint_url=endpoint, region_name=args["region"],
              aws_access_key_id=args["accessKeyId"], aws_secret_access_key=args["secretAccessKey"])
    cp = session.create_client("customer-profiles", **kw)
    af = session.create_client("appflow", **kw)
    sm = session.create_client("secretsmanager", **kw)
    out = {}
    cp.create_domain(DomainName="boto-domain", DefaultExpirationDays=30)
    out["getDomain"] = cp.get_domain(DomainName="boto-domain")["DomainName"]
    cp.put_profile_object_type(
        DomainName="boto-domain", ObjectTypeName="boto_type-1", Description="botocore",
        Fields={"e": {"Source": "_source.e", "Target": "_profile.EmailAddress", "ContentType": "EMAIL_ADDRESS"}},
        Keys={"_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["e"]}]})
    arn = "arn:aws:profile:%s:000000000000:domains/boto-domain/object-types/boto_type-1" % args["region"]
    cp.tag_resource(resourceArn=arn, tags={"via": "botocore"})
    out["tags"] = cp.list_tags_for_resource(resourceArn=arn)["tags"]
    out["listFlows"] = af.list_flows()["flows"]
    out["connectors"] = sorted(c for c in af.describe_connectors(connectorTypes=["Zendesk"])["connectorConfigurations"])
    sm.create_secret(Name="boto/secret", SecretString='{"clientId":"id","clientSecret":"s"}')
    out["secret"] = sm.get_secret_value(SecretId="boto/secret")["SecretString"]
    try:
        cp.get_domain(DomainName="no-such-domain")
    except cp.exceptions.ResourceNotFoundException as e:
        out["notFound"] = e.response["Error"]["Code"]
    return out


def main():
    args = json.load(sys.stdin)
    creds = Credentials(args["accessKeyId"], args["secretAccessKey"])
    endpoint = args["endpoint"].rstrip("/")
    result = {"raw": [send_raw(s, creds, endpoint, args["region"]) for s in args.get("raw", [])]}
    if args.get("client"):
        result["client"] = run_clients(endpoint, args)
    json.dump(result, sys.stdout)


main()
