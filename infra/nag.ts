// cdk-nag's AwsSolutions findings this stack accepts, each with the reason in one line. Applied to
// the whole stack with CDK's own Validations API; test/infra/infra-nag.test.ts runs the checks and
// fails on any finding not listed here (and on a listed one that no longer occurs).
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface NagAcknowledgement {
  id: string;
  reason: string;
}

/** Logical ids of the table and bucket, as they appear in IAM5 finding ids. */
export function nagAcknowledgements(ids: { table: string; bucket: string; webhookFunction: string }): NagAcknowledgement[] {
  const s3Wildcards = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'];
  return [
    { id: 'AwsSolutions-APIG4', reason: 'The Oz protocol authenticates every request in the handler with X-Forensic-Access-Token sessions, which no API Gateway authorizer can express.' },
    { id: 'AwsSolutions-S1', reason: 'Objects are only reached through short-lived presigned URLs that the API issues and logs; a second bucket of access logs would only copy personal object keys.' },
    { id: 'AwsSolutions-L1', reason: 'Node.js 22 is pinned on purpose: the container image, the bundles (target node22) and the local runtime are built and tested for it.' },
    { id: 'AwsSolutions-SF1', reason: 'Logging every Step Functions event would log webhook payloads (personal data); each delivery attempt and outcome is recorded in the table instead.' },
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The AWS managed basic execution role only lets a function write its own CloudWatch logs.' },
    { id: `AwsSolutions-IAM5[Resource::<${ids.table}.Arn>/index/*]`, reason: 'Listings query the table\'s own two indexes (list, all); the wildcard covers only those.' },
    { id: `AwsSolutions-IAM5[Resource::<${ids.bucket}.Arn>/*]`, reason: 'Object keys are <company>/<folder>/<media> ids created at run time: the bucket is the smallest fixed scope.' },
    { id: `AwsSolutions-IAM5[Resource::<${ids.bucket}.Arn>/uploads/*]`, reason: 'Presigned uploads get a fresh random key under uploads/ each time.' },
    { id: `AwsSolutions-IAM5[Resource::<${ids.webhookFunction}.Arn>:*]`, reason: 'Step Functions invokes the webhook function\'s versions and aliases; the grant is on that one function.' },
    ...s3Wildcards.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: 'The CDK grant methods (grantRead/grantReadWrite/grantDelete) name these action groups, scoped to the one bucket.' })),
  ];
}

/** Acknowledged on the traced functions and the webhook state machine only (not the stack), so no other `*` resource elsewhere slips through. */
export const TRACING_NAG_ACKNOWLEDGEMENTS: NagAcknowledgement[] = [
  { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The X-Ray statement of a traced function or state machine role: PutTraceSegments and PutTelemetryRecords support no resource-level scoping.' },
];

/** Acknowledged on the console's CloudFront distribution only (infra/console-site.ts). */
export const CONSOLE_DISTRIBUTION_NAG_ACKNOWLEDGEMENTS: NagAcknowledgement[] = [
  { id: 'AwsSolutions-CFR1', reason: 'A self-hosted API serves whichever countries its operator serves: geo restrictions are the deployer\'s choice, not a default.' },
  { id: 'AwsSolutions-CFR2', reason: 'The API authenticates and throttles every request itself (OZ_THROTTLING_RATES); a WAF web ACL is billed per ACL and left to the deployer.' },
  { id: 'AwsSolutions-CFR3', reason: 'The HTTP API behind it keeps access logs already; CloudFront logs would need a second, ACL-enabled bucket of request paths.' },
  { id: 'AwsSolutions-CFR4', reason: 'The default *.cloudfront.net certificate allows TLS 1.0 viewers; a custom domain with its own certificate sets TLSv1.2_2021.' },
];

/**
 * Acknowledged on CDK's own BucketDeployment function, which copies the console's files into its
 * bucket. The ids name the bootstrap assets bucket (its region is concrete when the stack's is)
 * and the console bucket's logical id.
 */
export function bucketDeploymentNagAcknowledgements(ids: { region: string; consoleBucket: string }): NagAcknowledgement[] {
  return [
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'CDK\'s BucketDeployment custom resource role: its CloudFront invalidation statement has no resource-level scoping.' },
    { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${ids.region}/*]`, reason: 'CDK\'s BucketDeployment reads the console files from the bootstrap assets bucket, whose object keys are content hashes.' },
    { id: `AwsSolutions-IAM5[Resource::<${ids.consoleBucket}.Arn>/*]`, reason: 'CDK\'s BucketDeployment writes every file of the console build into the console bucket.' },
  ];
}

export function acknowledgeNagFindings(scope: IConstruct, acknowledgements: NagAcknowledgement[]) {
  for (const a of acknowledgements) Validations.of(scope).acknowledge(a);
}
