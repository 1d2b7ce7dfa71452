// The operator console in AWS: the built web/ app in a private S3 bucket behind CloudFront, with
// /api/* and /v1/* (and /version) routed to the HTTP API, so the console and the API share one
// origin as they do locally. On by default; `cdk deploy -c console=false` leaves it out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CfnOutput, RemovalPolicy, Stack, Stage, Token, type CfnElement } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_DIST, WEB_DIR, consoleNeedsBuild } from './local/console';
import { acknowledgeNagFindings, bucketDeploymentNagAcknowledgements, CONSOLE_DISTRIBUTION_NAG_ACKNOWLEDGEMENTS } from './nag';

/** Paths CloudFront sends to the HTTP API; everything else is the console's files. */
export const API_PATH_PATTERNS = ['/api/*', '/v1/*', '/version'];

export interface ConsoleSiteProps {
  httpApi: HttpApi;
}

/**
 * The console's built files: web/dist when it is current, otherwise a fresh `vite build` into the
 * cloud assembly. Stacks synthesized without bundling (tests, the local runtime) get an empty
 * folder, as NodejsFunction skips esbuild for them.
 */
function consoleAssetDir(scope: Construct): string {
  if (!Stack.of(scope).bundlingRequired) return fs.mkdtempSync(path.join(os.tmpdir(), 'oz-console-unbundled-'));
  if (!consoleNeedsBuild()) return CONSOLE_DIST;
  const outdir = path.join(Stage.of(scope)?.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oz-console-')), 'console-site');
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--config', path.join(WEB_DIR, 'vite.config.ts'), '--outDir', outdir, '--emptyOutDir'], { stdio: 'inherit' });
  return outdir;
}

export class ConsoleSite extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const api: BehaviorOptions = {
      origin: new HttpOrigin(`${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // Never cached; every header (the access token), query string and cookie reaches the API,
      // except Host, which must name the API's own domain.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    const distribution = new Distribution(this, 'Distribution', {
      comment: 'oz-open operator console and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((p) => [p, api])),
    });
    new BucketDeployment(this, 'Deployment', {
      destinationBucket: bucket,
      sources: [Source.asset(consoleAssetDir(this))],
      distribution,
      distributionPaths: ['/index.html'],
    });
    acknowledgeNagFindings(distribution, CONSOLE_DISTRIBUTION_NAG_ACKNOWLEDGEMENTS);
    // The deployment's function is a singleton at the stack's root: acknowledge there, on it alone.
    const deploymentAcknowledgements = bucketDeploymentNagAcknowledgements({
      region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
      consoleBucket: stack.getLogicalId(bucket.node.defaultChild as CfnElement),
    });
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) acknowledgeNagFindings(child, deploymentAcknowledgements);
    }
    this.url = `https://${distribution.distributionDomainName}/`;
    new CfnOutput(this, 'Url', { value: this.url, description: 'The operator console (and the API on the same origin)' });
  }
}
