'use strict';
// ruleid: qeflow.generic.aws-access-key
const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
// ok: qeflow.generic.aws-access-key
const region = 'eu-west-1';
module.exports = { accessKeyId, region };
