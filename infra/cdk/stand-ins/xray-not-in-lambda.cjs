/**
 * What a bundle gets for the parts of aws-xray-sdk-core that only run outside Lambda or for the AWS SDK
 * v2: the EC2, ECS and Elastic Beanstalk plugins, the samplers of incoming requests (with centralised
 * sampling's pollers and service connector), and the v2 client patcher. In Lambda the trace and its
 * sampling decision come from the function's facade segment, and the SDK v3 clients are captured by
 * patchers/aws3_p.js. About 20 KB of every bundle.
 */
'use strict';

const notInLambda = (name) => () => {
  throw new Error(
    `aws-xray-sdk-core's ${name} is not bundled: it runs only outside Lambda or for the AWS SDK v2`,
  );
};

module.exports = new Proxy(
  {},
  {
    get: (_target, property) => (typeof property === 'string' ? notInLambda(property) : undefined),
  },
);
