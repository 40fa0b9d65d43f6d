/** After `cdk synth`: one line per stack with what it holds, so `npm run synth` shows what would be deployed. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const out = path.resolve('cdk.out');
const templates = readdirSync(out).filter((file) => file.endsWith('.template.json'));
const friendly: Record<string, string> = {
  'AWS::Lambda::Function': 'functions',
  'AWS::DynamoDB::Table': 'tables',
  'AWS::ApiGatewayV2::Route': 'API routes',
  'AWS::Events::Rule': 'bus rules and schedules',
  'AWS::SQS::Queue': 'queues (subscription and dead-letter)',
  'AWS::Lambda::EventSourceMapping': 'queue-to-function mappings',
  'AWS::Pipes::Pipe': 'outbox pipes',
  'AWS::Cognito::UserPoolGroup': 'user groups',
  'AWS::CloudFront::Distribution': 'CloudFront distributions',
  'AWS::WAFv2::WebACL': 'WAF web ACLs',
  'AWS::SES::ConfigurationSet': 'SES configuration sets',
};
for (const file of templates) {
  const template = JSON.parse(readFileSync(path.join(out, file), 'utf8')) as {
    Resources?: Record<string, { Type: string }>;
  };
  const resources = Object.values(template.Resources ?? {});
  const counts = Object.entries(friendly)
    .map(([type, label]) => [label, resources.filter((resource) => resource.Type === type).length] as const)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`);
  console.log(
    `${file.replace('.template.json', '')}: ${resources.length} resources (${counts.join(', ') || 'none of note'})`,
  );
}
console.log(
  `CloudFormation templates and bundled functions are in ${path.relative(process.cwd(), out)}/; deploy with: npx cdk deploy --all`,
);
