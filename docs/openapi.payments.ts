import { auditRecord, dateTime, errors, json, jsonBody, objectId, pageOf, pageParams, queryParam } from './openapi.schemas.js';

const grants = {
  type: 'object',
  properties: {
    dailyRequests: { type: ['integer', 'null'], description: 'Connection requests a day; null: unlimited' },
    chat: { type: 'boolean' },
    badge: { type: 'boolean', description: 'The blue tick' },
  },
};

/** A stored Razorpay delivery and what came of it (admins). */
const paymentEvent = {
  type: 'object',
  required: ['id', 'event', 'receivedAt', 'processedAt', 'outcome', 'tries', 'lastError', 'nextTryAt', 'gaveUpAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    event: { type: 'string', description: 'payment.captured, refund.failed, ...' },
    receivedAt: dateTime,
    processedAt: { ...dateTime, type: ['string', 'null'], description: 'When its work was done; null: not yet' },
    outcome: { type: ['string', 'null'], description: 'applied, ignored, unknown_order, mismatch, ...' },
    tries: { type: 'integer', description: 'Failed tries' },
    lastError: { type: ['string', 'null'] },
    nextTryAt: { ...dateTime, type: ['string', 'null'], description: "The job's next try; null once done or given up" },
    gaveUpAt: { ...dateTime, type: ['string', 'null'], description: 'When the job stopped trying it' },
  },
};

const payment = {
  type: 'object',
  required: ['id', 'plan', 'months', 'amount', 'currency', 'orderId', 'status', 'history', 'refundedAmount', 'createdAt'],
  properties: {
    id: objectId,
    userId: { ...objectId, description: 'Admin lists only' },
    plan: { enum: ['gold', 'premium'] },
    months: { type: 'integer' },
    amount: { type: 'integer', description: "In the currency's smallest unit (paise)" },
    currency: { type: 'string' },
    orderId: { type: 'string', description: 'The Razorpay order id' },
    razorpayPaymentId: { type: 'string' },
    status: { enum: ['created', 'failed', 'authorized', 'captured', 'refunded'] },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: { status: { type: 'string' }, at: dateTime, source: { enum: ['checkout', 'webhook', 'reconcile'] } },
      },
    },
    refundedAmount: { type: 'integer' },
    granted: {
      type: 'object',
      description: 'The membership time this payment bought',
      properties: { plan: { type: 'string' }, from: dateTime, until: dateTime },
    },
    createdAt: dateTime,
  },
};

const membership = {
  type: 'object',
  required: ['plan', 'expiresAt', 'badge', 'grants'],
  properties: {
    plan: { enum: ['free', 'gold', 'premium'] },
    expiresAt: { oneOf: [dateTime, { type: 'null' }] },
    badge: { type: 'boolean' },
    grants,
  },
};

export const paymentPaths = {
  '/api/v1/payments/plans': {
    get: {
      tags: ['payments'],
      summary: 'The plans on sale: period, price and what each grants',
      security: [],
      responses: {
        '200': {
          description: 'Plans',
          content: json({
            type: 'object',
            required: ['plans'],
            properties: {
              plans: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['plan', 'months', 'amount', 'currency', 'grants'],
                  properties: {
                    plan: { enum: ['gold', 'premium'] },
                    months: { type: 'integer' },
                    amount: { type: 'integer' },
                    currency: { type: 'string' },
                    grants,
                  },
                },
              },
            },
          }),
        },
      },
    },
  },
  '/api/v1/payments/orders': {
    post: {
      tags: ['payments'],
      summary: 'A Razorpay order for a plan; the price comes from the server (an amount sent is ignored)',
      requestBody: jsonBody(
        {
          plan: { enum: ['gold', 'premium'] },
          months: { type: 'integer', minimum: 1, maximum: 36 },
          amount: { description: 'Ignored' },
          currency: { description: 'Ignored' },
        },
        ['plan', 'months'],
      ),
      responses: {
        '201': {
          description: 'What Razorpay Checkout needs',
          content: json({
            type: 'object',
            required: ['paymentId', 'keyId', 'checkoutScript', 'orderId', 'amount', 'currency', 'name', 'description', 'prefill'],
            properties: {
              paymentId: objectId,
              keyId: { type: 'string' },
              checkoutScript: {
                type: 'string',
                description: "Razorpay's checkout.js, or with the local gateway (no keys, never production) its stand-in",
              },
              orderId: { type: 'string' },
              amount: { type: 'integer' },
              currency: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              prefill: {
                type: 'object',
                properties: { name: { type: 'string' }, email: { type: 'string' }, contact: { type: 'string' } },
              },
            },
          }),
        },
        ...errors('400', '401', '409', '429'),
        '502': { description: 'Razorpay did not answer (PAYMENT_GATEWAY_ERROR)' },
      },
    },
  },
  '/api/v1/payments/local-checkout.js': {
    get: {
      tags: ['payments'],
      summary: "Local gateway only: a stand-in for Razorpay's checkout.js (window.Razorpay) for development and browser tests",
      security: [],
      responses: {
        '200': { description: 'The script', content: { 'text/javascript': { schema: { type: 'string' } } } },
        ...errors('404'),
      },
    },
  },
  '/api/v1/payments/local-checkout/pay': {
    post: {
      tags: ['payments'],
      summary:
        "Local gateway only: pays one of the caller's open orders as Razorpay's checkout would answer (signed fields for /payments/verify)",
      requestBody: jsonBody({ orderId: { type: 'string' } }, ['orderId']),
      responses: {
        '200': {
          description: "Checkout's answer",
          content: json({
            type: 'object',
            required: ['razorpay_order_id', 'razorpay_payment_id', 'razorpay_signature'],
            properties: {
              razorpay_order_id: { type: 'string' },
              razorpay_payment_id: { type: 'string' },
              razorpay_signature: { type: 'string' },
            },
          }),
        },
        ...errors('400', '401', '404'),
      },
    },
  },
  '/api/v1/payments/verify': {
    post: {
      tags: ['payments'],
      summary: "Checkout's handler result: checks the signature, asks Razorpay for the payment, activates the plan",
      requestBody: jsonBody({
        razorpay_order_id: { type: 'string' },
        razorpay_payment_id: { type: 'string' },
        razorpay_signature: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      }),
      responses: {
        '200': {
          description: 'The payment and the membership now',
          content: json({ type: 'object', required: ['payment', 'membership'], properties: { payment, membership } }),
        },
        ...errors('400', '401', '404', '429'),
        '502': { description: 'Razorpay did not answer (PAYMENT_GATEWAY_ERROR)' },
      },
    },
  },
  '/api/v1/payments/history': {
    get: {
      tags: ['payments'],
      summary: "One's own payments",
      parameters: pageParams(100),
      responses: pageOf('payments', payment, ['400', '401', '403']),
    },
  },
  '/api/v1/payments/membership': {
    get: {
      tags: ['payments'],
      summary: 'The plan in force, its expiry and badge',
      responses: {
        '200': {
          description: 'Membership',
          content: json({ type: 'object', required: ['membership'], properties: { membership } }),
        },
        ...errors('401'),
      },
    },
  },
  '/api/v1/payments/webhook': {
    post: {
      tags: ['payments'],
      summary: "Razorpay's webhook: X-Razorpay-Signature (HMAC-SHA256 of the raw body) and X-Razorpay-Event-Id",
      security: [],
      parameters: [
        { name: 'X-Razorpay-Signature', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'X-Razorpay-Event-Id', in: 'header', required: false, schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: json({ type: 'object' }) },
      responses: {
        '200': {
          description: 'Stored (or already stored); the work follows',
          content: json({ type: 'object', properties: { received: { type: 'boolean' }, duplicate: { type: 'boolean' } } }),
        },
        ...errors('400'),
      },
    },
  },
  '/api/v1/admin/payments': {
    get: {
      tags: ['admin'],
      summary: "Everyone's payments (admins)",
      parameters: [
        queryParam('status', { enum: ['created', 'failed', 'authorized', 'captured', 'refunded'] }),
        ...pageParams(100),
      ],
      responses: pageOf('payments', payment, ['400', '401', '403']),
    },
  },
  '/api/v1/admin/payments/audit': {
    get: {
      tags: ['admin'],
      summary: 'The payment and membership audit trail (admins)',
      parameters: [queryParam('userId', objectId), ...pageParams(100)],
      responses: pageOf('records', auditRecord, ['400', '401', '403']),
    },
  },
  '/api/v1/admin/payments/events/{eventId}/retry': {
    post: {
      tags: ['admin'],
      summary:
        "Try a stored Razorpay event's work now (admins): one the job gave up on (a week after receipt) or one waiting for its next try; one done already is answered as it is",
      parameters: [
        {
          name: 'eventId',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: 200 },
          description: 'X-Razorpay-Event-Id as delivered, or sha256:<hex> of a delivery without one',
        },
      ],
      responses: {
        '200': {
          description: 'The event as the try left it',
          content: json({
            type: 'object',
            required: ['event'],
            additionalProperties: false,
            properties: { event: paymentEvent },
          }),
        },
        ...errors('400', '401', '403', '404', '409', '503'),
      },
    },
  },
};
