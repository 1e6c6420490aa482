// pm2 process file: `npm run build && pm2 start ecosystem.config.cjs --env production`.
// Two processes on ports 3000 and 3001 (increment_var) behind nginx's upstream;
// Redis (REDIS_URL) makes them share sockets and rate limits.
module.exports = {
  apps: [
    {
      name: 'devtinder-api',
      script: 'dist/server.js',
      exec_mode: 'fork',
      instances: 2,
      increment_var: 'PORT',
      env: { PORT: 3000, NODE_ENV: 'development' },
      // APP_INSTANCES: production refuses to run several processes without REDIS_URL.
      env_production: { PORT: 3000, NODE_ENV: 'production', TRUST_PROXY: 'loopback', MEDIA_WORKER: 'false', APP_INSTANCES: 2 },
      // Longer than SHUTDOWN_TIMEOUT_MS, so in-flight requests finish before pm2 kills.
      kill_timeout: 15000,
      // `pm2 reload devtinder-api` restarts one process at a time and waits for the new one's
      // 'ready' (sent once it listens) before the next, so nginx always has one serving.
      wait_ready: true,
      listen_timeout: 30000,
      max_memory_restart: '1G',
      exp_backoff_restart_delay: 200,
      time: false,
      merge_logs: true,
    },
    // Post media (sharp, ffmpeg) in a process of its own: run the API with MEDIA_WORKER=false.
    {
      name: 'devtinder-media',
      script: 'dist/scripts/media-worker.js',
      exec_mode: 'fork',
      instances: 1,
      env: { NODE_ENV: 'development' },
      env_production: { NODE_ENV: 'production' },
      // A transcode may run for minutes; pm2 waits for it before a restart kills the worker.
      kill_timeout: 600000,
      max_memory_restart: '1500M',
      exp_backoff_restart_delay: 200,
      merge_logs: true,
    },
  ],
};
