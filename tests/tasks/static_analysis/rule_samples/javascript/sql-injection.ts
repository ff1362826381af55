import { Request, Response } from 'express';
import { Pool } from 'pg';

const pool = new Pool();

export async function findUser(req: Request, res: Response): Promise<void> {
  const id: string = String(req.params.id);
  // ruleid: qeflow.javascript.sql-injection
  const result = await pool.query(`SELECT * FROM users WHERE id = ${id}`);
  res.json(result.rows);
}

export async function safeFind(req: Request, res: Response): Promise<void> {
  // ok: qeflow.javascript.sql-injection
  const result = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  res.json(result.rows);
}
