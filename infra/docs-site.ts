// The API reference as a static site: a private S3 bucket behind CloudFront (origin access control),
// filled by a BucketDeployment with the Swagger UI page and the OpenAPI document naming the
// deployed API. Opt-in (`cdk deploy -c docs=true`), so the default synth stays small and offline.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnOutput, RemovalPolicy, Stage } from 'aws-cdk-lib';
import { Distribution, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildDocsSite, OPENAPI_FILE } from './docs/page';

export interface DocsSiteProps {
  /** The API "Try it out" calls (the HTTP API's endpoint; a deploy-time value is fine). */
  apiUrl: string;
  /** Where the page is assembled at synth time (defaults to a folder under the cloud assembly). */
  buildDir?: string;
}

export class DocsSite extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, props: DocsSiteProps) {
    super(scope, id);
    const outdir = props.buildDir ?? path.join(Stage.of(this)?.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oz-docs-')), 'docs-site');
    buildDocsSite(outdir, { withSpec: false });
    const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Record<string, unknown>;

    const bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const distribution = new Distribution(this, 'Distribution', {
      defaultRootObject: 'index.html',
      defaultBehavior: { origin: S3BucketOrigin.withOriginAccessControl(bucket), viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      comment: 'oz-open API reference',
    });
    new BucketDeployment(this, 'Deployment', {
      destinationBucket: bucket,
      // jsonData resolves the API URL at deploy time.
      sources: [Source.asset(outdir), Source.jsonData('openapi.json', { ...doc, servers: [{ url: props.apiUrl, description: 'The deployed API' }] })],
      distribution,
      distributionPaths: ['/*'],
    });
    this.url = `https://${distribution.distributionDomainName}/`;
    new CfnOutput(this, 'Url', { value: this.url, description: 'The interactive API reference' });
  }
}
